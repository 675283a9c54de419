"""Business development (bina usaha): the plan, the aid and assets, the group's books, IKS, revolving fund, markets.

One module per area; every model keeps the app label "business". Money is whole Rupiah in BigIntegerFields,
never floats; percentages are Decimals.
"""

from .cashbook import CashEntry, CashEntryQuerySet, CashImport, CashImportQuerySet, CashMonth, CashMonthQuerySet
from .common import KubeScoped, month_end, month_start, next_month, upload_path
from .fund import (
    IksEntry,
    IksEntryQuerySet,
    Loan,
    LoanQuerySet,
    ProfitAllocation,
    ProfitAllocationQuerySet,
    Repayment,
    RepaymentQuerySet,
)
from .markets import (
    CreditApplication,
    CreditApplicationQuerySet,
    MarketEvent,
    MarketEventQuerySet,
    MarketParticipation,
    MarketParticipationQuerySet,
    Partnership,
    PartnershipQuerySet,
)
from .plan import (
    AidStage,
    AidStageQuerySet,
    Asset,
    AssetCheck,
    AssetCheckQuerySet,
    AssetQuerySet,
    BudgetLine,
    BudgetLineQuerySet,
    BusinessPlan,
    BusinessPlanQuerySet,
    proof_path,
)

__all__ = [
    "AidStage",
    "AidStageQuerySet",
    "Asset",
    "AssetCheck",
    "AssetCheckQuerySet",
    "AssetQuerySet",
    "BudgetLine",
    "BudgetLineQuerySet",
    "BusinessPlan",
    "BusinessPlanQuerySet",
    "CashEntry",
    "CashEntryQuerySet",
    "CashImport",
    "CashImportQuerySet",
    "CashMonth",
    "CashMonthQuerySet",
    "CreditApplication",
    "CreditApplicationQuerySet",
    "IksEntry",
    "IksEntryQuerySet",
    "KubeScoped",
    "Loan",
    "LoanQuerySet",
    "MarketEvent",
    "MarketEventQuerySet",
    "MarketParticipation",
    "MarketParticipationQuerySet",
    "Partnership",
    "PartnershipQuerySet",
    "ProfitAllocation",
    "ProfitAllocationQuerySet",
    "Repayment",
    "RepaymentQuerySet",
    "month_end",
    "month_start",
    "next_month",
    "proof_path",
    "upload_path",
]
