from typing import Any

CRC: str
LIMIT: int
NEED: int
FRAMING: int
FALLBACK: int
NEWKEY: int
SPAN: int

def masked_crc(data: bytes | bytearray | memoryview, /) -> int: ...

class Decoder:
    def __init__(self, sequences: bool = ...) -> None: ...
    def register(self, key: bytes, ok: bool, keep: int = ..., section: int = ..., /) -> int: ...
    def drain(self) -> list[Any]: ...
    def run(
        self,
        buf: bytes | bytearray | memoryview,
        start: int,
        max_records: int,
        max_bytes: int,
        max_record_bytes: int,
        first_index: int = ...,
        span_end: int = ...,
        /,
    ) -> tuple[
        int,
        int,
        int,
        int | tuple[int, bytes] | None,
        bytes,
        bytes,
        list[tuple[int, Any, Any, Any, Any, Any, list[bytes] | None]],
        int,
        bytes,
    ]: ...
