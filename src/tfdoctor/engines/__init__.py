"""Where a scan runs: in this process, in a process pool over files, or on Apache Beam."""
