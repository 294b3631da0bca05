"""The truth contract: loading, validation and the typed model."""

from truthgate.contract.loader import default_root, load_contract, load_contract_text
from truthgate.contract.model import Contract
from truthgate.contract.problems import ContractError, ContractProblem

__all__ = [
    "Contract",
    "ContractError",
    "ContractProblem",
    "default_root",
    "load_contract",
    "load_contract_text",
]
