"""Build the optional native scan core (src/tfdoctor/native/_core.c). Everything else is
declared in pyproject.toml. `optional=True`: where no C compiler is found the build of the
extension is skipped and tfdoctor installs its pure-Python path (`tfdoctor --version` says
which one is in use)."""

import sys

from setuptools import Extension, setup

flags = [] if sys.platform == "win32" else ["-O3", "-std=gnu99", "-ffp-contract=off", "-fno-fast-math"]

setup(
    ext_modules=[
        Extension(
            "tfdoctor.native._core",
            sources=["src/tfdoctor/native/_core.c"],
            extra_compile_args=flags,
            optional=True,
        )
    ]
)
