"""The cycle ledger: numbered, recorded runs, and what can be learned across them.

``ledger`` stores and reads cycles; ``diff`` compares two runs; ``dod`` counts the
definition-of-done streak; ``history`` asks those questions of a ledger; ``markdown``,
``text`` and ``charts`` turn the answers into strings. Only the CLI prints.
"""

from truthgate.cycles.ledger import (
    Cycle,
    CycleError,
    LedgerScan,
    list_cycles,
    load_cycle,
    record_cycle,
)

__all__ = ["Cycle", "CycleError", "LedgerScan", "list_cycles", "load_cycle", "record_cycle"]
