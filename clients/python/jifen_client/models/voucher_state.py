from enum import StrEnum


class VoucherState(StrEnum):
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    GIFTED = "gifted"
    NOT_YET_VALID = "not_yet_valid"
    RESERVED = "reserved"
    USABLE = "usable"
    USED = "used"

    def __str__(self) -> str:
        return str(self.value)
