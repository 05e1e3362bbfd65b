from typing import Any

CRC: str
LIMIT: int
NEED: int
FRAMING: int
FALLBACK: int
NEWKEY: int

def masked_crc(data: bytes | bytearray | memoryview, /) -> int: ...

class Decoder:
    def register(self, key: bytes, ok: bool, keep: bool = ..., /) -> int: ...
    def drain(self) -> list[Any]: ...
    def run(
        self,
        buf: bytes,
        start: int,
        max_records: int,
        max_bytes: int,
        max_record_bytes: int,
        first_index: int = ...,
        /,
    ) -> tuple[
        int,
        int,
        int,
        int | bytes | None,
        bytes,
        bytes,
        list[tuple[int, bytes, bytes, bytes, bytes, bytes, list[bytes] | None]],
    ]: ...
