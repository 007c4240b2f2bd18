"""Entitlements as events, monthly payrolls, bank files, reconciliation and corrections."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safetynet.core.models import TrackedModel
from safetynet.core.permissions import ScopedManager, region_q


def _staff_q(user: Any, field: str) -> Q:
    from safetynet.accounts.roles import Role

    if user.role == Role.ADMIN and user.region_id is None:
        return Q()
    if user.region_id is None or user.role == Role.RESIDENT:
        return Q(pk__in=[])
    return region_q(field, user.region_id)


class Entitlement(TrackedModel):
    """待遇 — one household's monthly assistance under one program, paid to one payee.

    The money fields here are a cache of the event stream (``EntitlementEvent``): replaying the
    events gives the same state (tested). Money changes only through an event with a decision."""

    class State(models.TextChoices):
        ACTIVE = "active", _("享受中")
        SUSPENDED = "suspended", _("暂停")
        STOPPED = "stopped", _("已停止")

    class PayeeKind(models.TextChoices):
        HOUSEHOLD = "household", _("家庭账户")
        GUARDIAN = "guardian", _("监护人")
        INSTITUTION = "institution", _("供养机构（集中供养）")

    number = models.CharField(_("待遇编号"), max_length=40, unique=True)
    case = models.ForeignKey(
        "applications.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    program = models.CharField(_("救助项目"), max_length=30)
    county_code = models.CharField(_("县"), max_length=12)
    township_code = models.CharField(_("乡镇"), max_length=12)
    region_code = models.CharField(_("村/社区"), max_length=12)
    predecessor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        verbose_name=_("原待遇（停旧建新）"),
    )
    payee_kind = models.CharField(_("收款方"), max_length=20, choices=PayeeKind.choices)
    payee_name = models.CharField(_("收款人/机构"), max_length=100)
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    account_enc = models.TextField(blank=True)
    account_masked = models.CharField(_("银行账号"), max_length=40, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.ACTIVE)
    monthly_amount = models.DecimalField(_("月发放金额（元）"), max_digits=12, decimal_places=2)
    first_month = models.DateField(_("起始发放月份"))
    funding = models.JSONField(_("资金分担比例"), default=dict, blank=True)
    event_count = models.PositiveIntegerField(default=0)

    AUDIT_EXCLUDE = ("account_enc",)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("待遇")
        indexes = [
            # serves: payroll build (county, program, in force)
            models.Index(fields=["county_code", "program", "state"], name="entitlement_payroll"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.payee_name}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_q(user, "region_code")


class EntitlementPart(models.Model):
    """个人待遇份额 — one covered member's own part (classified top-ups belong to the member)."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="parts")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("姓名"), max_length=50)
    amount = models.DecimalField(_("个人金额（元）"), max_digits=12, decimal_places=2)
    note = models.CharField(_("说明（分类施保等）"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("个人待遇份额")
        constraints = [models.UniqueConstraint(fields=["entitlement", "person"], name="part_once")]


class EntitlementEvent(models.Model):
    """待遇变更事件 — grant, increase, decrease, suspend, resume, stop or taper step, effective
    from a month, with the decision it comes from and its reason. ``parts`` is the full list of
    member parts after the event, so the state in any month is the last event before it."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("批准")
        INCREASE = "increase", _("增发")
        DECREASE = "decrease", _("减发")
        SUSPEND = "suspend", _("暂停")
        RESUME = "resume", _("恢复")
        STOP = "stop", _("停止")
        TAPER = "taper", _("渐退")
        CONTINUE = "continue", _("停旧建新延续")

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    effective_month = models.DateField(_("生效月份"))
    decision = models.ForeignKey(
        "applications.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("理由"))
    state_after = models.CharField(max_length=20, choices=Entitlement.State.choices)
    parts = models.JSONField(_("事件后个人份额"), default=list)
    amount_after = models.DecimalField(max_digits=12, decimal_places=2)
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor_name = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("待遇变更事件")
        ordering = ["entitlement_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["entitlement", "seq"], name="event_seq_once")]


class Payroll(TrackedModel):
    """发放名册 — one county's payments of one program for one month: prepared → checked →
    approved (frozen). Nothing changes it after approval."""

    class State(models.TextChoices):
        PREPARED = "prepared", _("已生成")
        CHECKED = "checked", _("已核对")
        APPROVED = "approved", _("已审批（冻结）")

    class Kind(models.TextChoices):
        REGULAR = "regular", _("月度发放")
        PRICE_SUBSIDY = "price_subsidy", _("价格临时补贴")
        TEMPORARY = "temporary", _("临时救助")

    county_code = models.CharField(_("县"), max_length=12)
    program = models.CharField(_("救助项目"), max_length=30)
    month = models.DateField(_("发放月份"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    cutoff = models.DateField(_("截止日期"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PREPARED)
    line_count = models.PositiveIntegerField(_("明细数"), default=0)
    total = models.DecimalField(_("合计（元）"), max_digits=16, decimal_places=2, default=0)
    check_report = models.JSONField(_("核对结果"), default=dict, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("发放名册")
        ordering = ["-month", "program"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "program", "month", "kind"], name="payroll_once")
        ]

    def __str__(self) -> str:
        return f"{self.county_code} {self.program} {self.month:%Y-%m}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        from safetynet.accounts.roles import Role

        if user.role == Role.ADMIN and user.region_id is None:
            return Q()
        if not user.region_id:
            return Q(pk__in=[])
        # township staff see their county's payrolls (lines are narrowed separately)
        return Q(county_code=user.region_id[:6] + "000000") | region_q("county_code", user.region_id)


class PaymentLine(models.Model):
    """发放明细 — one member part of one entitlement for one month. The database refuses a
    second line for the same entitlement, member, month and kind: no double payment."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("当月")
        BACKPAY = "backpay", _("补发")
        TEMPORARY = "temporary", _("临时救助")
        SUBSIDY = "subsidy", _("价格临时补贴")
        ADJUST = "adjust", _("提标补发")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发放")
        PAID = "paid", _("已到账")
        FAILED = "failed", _("发放失败")

    # No database-level FK constraints on the lines at all: PostgreSQL checks a foreign key with
    # one trigger call per inserted row at commit, which took longer than the payroll insert
    # itself (10.6 s for 200,000 lines, two FKs). The lines are written only by the set-based
    # statements of services/payroll.py, price_subsidy.py and temporary.py, which join existing
    # entitlements and the payroll created in the same transaction; entitlements and payrolls
    # are never deleted (PROTECT). No separate index on entitlement: no query reads the lines of
    # an entitlement without the payroll, and the unique indexes start with it.
    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="lines", db_constraint=False)
    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.PROTECT, related_name="lines", db_index=False, db_constraint=False
    )
    # no database-level FK (nor index) on person and job: the persons come from the
    # entitlement's validated events, and per-row FK triggers and index writes would dominate a
    # million-line payroll insert
    person = models.ForeignKey(
        "registry.Person", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    for_month = models.DateField(_("所属月份"))
    kind = models.CharField(max_length=10, choices=Kind.choices)
    township_code = models.CharField(max_length=12)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    failure = models.CharField(max_length=30, blank=True)
    job = models.ForeignKey(
        "core.Job",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        verbose_name = _("发放明细")
        constraints = [
            # regular, back-pay and temporary lines: one per part and month, ever
            models.UniqueConstraint(
                fields=["entitlement", "person", "for_month"],
                condition=~Q(kind__in=["subsidy", "adjust"]),
                name="payment_once",
            ),
            # 提标 back-pay of the difference for a month already paid: one per part, month and
            # payroll (the adjustment line records the payroll that settled it)
            models.UniqueConstraint(
                fields=["entitlement", "person", "for_month", "payroll"],
                condition=Q(kind="adjust"),
                name="adjust_once",
            ),
            # price-linked subsidy: one per part and month on top of the regular line
            models.UniqueConstraint(
                fields=["entitlement", "person", "for_month"],
                condition=Q(kind="subsidy"),
                name="subsidy_once",
            ),
        ]


class BankFile(TrackedModel):
    """代发文件 — one file per bank for a payroll (or a supplementary file for corrected lines)."""

    class Layout(models.TextChoices):
        CSV = "csv", _("银行代发 CSV")
        YIKATONG = "yikatong", _("一卡通")
        XLSX = "xlsx", _("银行代发 Excel")
        YIKATONG_XLSX = "ykt_xlsx", _("一卡通 Excel")

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="files")
    bank_name = models.CharField(_("开户银行"), max_length=60)
    layout = models.CharField(max_length=10, choices=Layout.choices, default=Layout.CSV)
    supplementary = models.BooleanField(_("补发文件"), default=False)
    name = models.CharField(max_length=120)
    content = models.BinaryField()
    line_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    checksum = models.CharField(max_length=64)
    references = models.JSONField(default=list)

    class Meta:
        verbose_name = _("代发文件")


class ReturnImport(TrackedModel):
    """银行回盘 — one imported return file: accepted (lines marked) or rejected whole with a report."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("已接收")
        REJECTED = "rejected", _("已拒收")

    bank_file = models.ForeignKey(BankFile, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=10, choices=Status.choices)
    errors = models.JSONField(default=list)
    paid = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("银行回盘")


class Correction(TrackedModel):
    """纠错清单 — a payee whose transfer failed; reissued in a supplementary file once fixed."""

    class Reason(models.TextChoices):
        WRONG_ACCOUNT = "wrong_account", _("账号错误")
        CLOSED_ACCOUNT = "closed_account", _("账户已销户")
        NAME_MISMATCH = "name_mismatch", _("户名不符")

    class State(models.TextChoices):
        OPEN = "open", _("待更正")
        FIXED = "fixed", _("已更正待补发")
        REISSUED = "reissued", _("已补发")

    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="corrections")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="corrections")
    township_code = models.CharField(max_length=12)
    reason = models.CharField(_("失败原因"), max_length=20, choices=Reason.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reissue_file = models.ForeignKey(
        BankFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("纠错清单")
        constraints = [models.UniqueConstraint(fields=["payroll", "entitlement"], name="correction_once")]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_q(user, "township_code")


class Recovery(TrackedModel):
    """追缴 — an overpayment to be recovered from a household, by a repayment schedule or by
    offset against future payments, with the decision that found it."""

    class Method(models.TextChoices):
        SCHEDULE = "schedule", _("分期退还")
        OFFSET = "offset", _("从后续发放中抵扣")

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12)
    entitlement = models.ForeignKey(
        Entitlement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        "applications.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("追缴理由"))
    months = models.JSONField(_("多发月份及金额"), default=list)
    amount = models.DecimalField(_("追缴总额（元）"), max_digits=12, decimal_places=2)
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    instalment = models.DecimalField(_("每期金额（元）"), max_digits=12, decimal_places=2)
    balance = models.DecimalField(_("未还余额（元）"), max_digits=12, decimal_places=2)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("追缴")

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_q(user, "region_code")


class Repayment(models.Model):
    """追缴退还 — one repayment (cash) or offset against a payroll."""

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField(_("日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    source = models.CharField(_("来源"), max_length=20)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("追缴退还")


# ---------------------------------------------------------------- temporary assistance (临时救助)


class TemporaryStage(TrackedModel):
    """临时救助分阶段发放 — one stage (or the single payment) of an approved temporary-assistance
    decision: paid once, either as a line of the county's temporary payroll of its month or as
    cash from the township's standby fund. The database refuses a second stage row for the same
    decision and stage number (or month), and a stage settled both ways."""

    class Method(models.TextChoices):
        BANK = "bank", _("银行代发")
        CASH = "cash", _("备用金现金")

    decision = models.ForeignKey("applications.Decision", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("applications.Case", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    # carrier of the payee, account and payment lines (program = the temporary program; no events,
    # so never in a monthly payroll)
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="temporary_stages")
    seq = models.PositiveSmallIntegerField(_("阶段"))
    month = models.DateField(_("发放月份"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    method = models.CharField(_("发放方式"), max_length=10, choices=Method.choices, default=Method.BANK)
    county_code = models.CharField(_("县"), max_length=12)
    township_code = models.CharField(_("乡镇"), max_length=12)
    region_code = models.CharField(_("村/社区"), max_length=12)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    payment_line = models.OneToOneField(
        PaymentLine, null=True, blank=True, on_delete=models.PROTECT, related_name="temporary_stage"
    )
    cash_entry = models.OneToOneField(
        "payments.StandbyEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="stage"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("临时救助发放")
        ordering = ["month", "decision_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "seq"], name="temporary_stage_once"),
            models.UniqueConstraint(fields=["decision", "month"], name="temporary_stage_month_once"),
            models.CheckConstraint(
                condition=Q(payment_line__isnull=True) | Q(cash_entry__isnull=True),
                name="temporary_paid_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="temporary_stage_positive"),
        ]
        indexes = [models.Index(fields=["county_code", "month"], name="temporary_stage_payroll")]

    def __str__(self) -> str:
        return f"{self.entitlement.payee_name} {self.month:%Y-%m} #{self.seq}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_q(user, "region_code")


class StandbyEntry(TrackedModel):
    """临时救助备用金台账 — one movement of a township's standby fund: a top-up from the county
    (拨付, with its document) or a cash payment (with receipt number, recipient and signatures)
    justified by a temporary-assistance stage or a help-first payment (先行救助)."""

    class Kind(models.TextChoices):
        TOPUP = "topup", _("拨付（增加）")
        CASH = "cash", _("现金支付（减少）")

    township_code = models.CharField(_("乡镇"), max_length=12)
    county_code = models.CharField(_("县"), max_length=12)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    entry_date = models.DateField(_("日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    reference = models.CharField(_("收据编号/拨付文号"), max_length=60)
    paid_to = models.CharField(_("领款人"), max_length=50, blank=True)
    signatures = models.CharField(_("经办及领款签字"), max_length=200, blank=True)
    case = models.ForeignKey(
        "applications.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    emergency_payment = models.OneToOneField(
        "applications.EmergencyPayment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("备用金台账")
        ordering = ["township_code", "entry_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["township_code", "kind", "reference"], name="standby_reference_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="standby_amount_positive"),
        ]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_q(user, "township_code")


class StandbyReconciliation(TrackedModel):
    """备用金对账 — the ledger balance against the cash counted, and every cash payment checked
    against the decision that justifies it."""

    township_code = models.CharField(_("乡镇"), max_length=12)
    as_of = models.DateField(_("对账日期"))
    book_balance = models.DecimalField(_("账面余额（元）"), max_digits=12, decimal_places=2)
    counted_balance = models.DecimalField(_("实存现金（元）"), max_digits=12, decimal_places=2)
    difference = models.DecimalField(_("差额（元）"), max_digits=12, decimal_places=2)
    report = models.JSONField(_("对账结果"), default=dict)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("备用金对账")
        ordering = ["-as_of", "-id"]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_q(user, "township_code")


# ------------------------------------------- pa: 提标, fines, recovery offsets (issue 6 points 5, 6)


class StandardAdjustment(TrackedModel):
    """提标调整决定 — ONE decision record for raising the standard in a region from a month: every
    affected entitlement recomputed in one batch, with a line per household (``AdjustmentLine``).
    Months already paid at the old standard are paid as back-pay in the next payroll."""

    number = models.CharField(_("调整编号"), max_length=60, unique=True)
    region_code = models.CharField(_("区划"), max_length=12)
    program = models.CharField(_("救助项目"), max_length=30)
    from_month = models.DateField(_("提标起始月份"))
    standards = models.JSONField(_("标准调整（原/新）"), default=dict)
    fingerprint = models.CharField(max_length=64)
    reason = models.TextField(_("调整理由"))
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    household_count = models.PositiveIntegerField(_("调整户数"), default=0)
    monthly_increase = models.DecimalField(_("月增发合计（元）"), max_digits=14, decimal_places=2, default=0)
    backpay_total = models.DecimalField(_("补发合计（元）"), max_digits=14, decimal_places=2, default=0)
    skipped = models.JSONField(_("未调整的待遇"), default=list, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("提标调整")
        ordering = ["-from_month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "program", "from_month", "fingerprint"], name="adjustment_once"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        from safetynet.accounts.roles import Role

        if user.role == Role.ADMIN and user.region_id is None:
            return Q()
        if not user.region_id:
            return Q(pk__in=[])
        # a county officer sees the adjustments of their county and of the regions above it
        above = [user.region_id[:n] + "0" * (12 - n) for n in (2, 4, 6)]
        return region_q("region_code", user.region_id) | Q(region_code__in=above)


class AdjustmentLine(models.Model):
    """提标调整明细 — one household of an adjustment: old, new, difference, the months already
    paid at the old amount and the back-pay owed for them (per member part and month)."""

    adjustment = models.ForeignKey(StandardAdjustment, on_delete=models.PROTECT, related_name="lines")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="adjustment_lines")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField(max_length=12)
    township_code = models.CharField(max_length=12)
    region_code = models.CharField(max_length=12)
    method = models.CharField(_("计算方法"), max_length=20)
    old_amount = models.DecimalField(_("原月金额（元）"), max_digits=12, decimal_places=2)
    new_amount = models.DecimalField(_("新月金额（元）"), max_digits=12, decimal_places=2)
    difference = models.DecimalField(_("月差额（元）"), max_digits=12, decimal_places=2)
    parts = models.JSONField(_("个人份额（原/新）"), default=list)
    months = models.JSONField(_("已按原标准发放的月份"), default=list)
    backpay_parts = models.JSONField(default=list)
    backpay_amount = models.DecimalField(_("应补发（元）"), max_digits=12, decimal_places=2, default=0)
    backpay_payroll = models.ForeignKey(
        Payroll, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("补发名册")
    )
    event = models.ForeignKey(EntitlementEvent, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("提标调整明细")
        ordering = ["adjustment_id", "township_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["adjustment", "entitlement"], name="adjustment_line_once")
        ]
        indexes = [
            # serves: the payroll hook's pending back-pay of a county and program
            models.Index(fields=["county_code", "backpay_payroll"], name="adjustment_backpay_due"),
        ]


class Penalty(TrackedModel):
    """骗取社会救助行政处罚 — the administrative-penalty procedure: notice (告知) → hearing
    (听证: requested and held, or waived) → decision. The fine is multiple × amount obtained; the
    allowed multiple is a dated parameter by the date of the conduct (domain-rules §11.11)."""

    class State(models.TextChoices):
        NOTIFIED = "notified", _("已告知")
        HEARING_REQUESTED = "requested", _("已申请听证")
        HEARD = "heard", _("已听证")
        WAIVED = "waived", _("放弃听证")
        DECIDED = "decided", _("已作出处罚决定")

    number = models.CharField(_("案件编号"), max_length=40, unique=True)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party_name = models.CharField(_("当事人"), max_length=100)
    region_code = models.CharField(max_length=12)
    recovery = models.ForeignKey(
        Recovery, null=True, blank=True, on_delete=models.PROTECT, related_name="penalties"
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.NOTIFIED)
    conduct_on = models.DateField(_("违法行为发生日期"))
    amount_obtained = models.DecimalField(_("骗取金额（元）"), max_digits=12, decimal_places=2)
    facts = models.TextField(_("违法事实"))
    notice_on = models.DateField(_("告知日期"))
    hearing_deadline = models.DateField(_("申请听证截止日期"))
    multiple_min = models.DecimalField(_("最低倍数"), max_digits=5, decimal_places=2)
    multiple_max = models.DecimalField(_("最高倍数"), max_digits=5, decimal_places=2)
    rate_reference = models.CharField(_("罚款依据"), max_length=300)
    hearing_on = models.DateField(_("听证日期"), null=True, blank=True)
    hearing_record = models.TextField(_("听证/陈述申辩记录"), blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    multiple = models.DecimalField(_("罚款倍数"), max_digits=5, decimal_places=2, null=True, blank=True)
    fine_amount = models.DecimalField(
        _("罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_reason = models.TextField(_("处罚理由"), blank=True)
    document_number = models.CharField(_("处罚决定书文号"), max_length=60, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("骗取救助行政处罚")
        ordering = ["-notice_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_obtained__gt=0), name="penalty_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.party_name}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _staff_q(user, "region_code")


class RecoveryOffset(models.Model):
    """追缴抵扣 — the part of a household's payment in one payroll kept back against a recovery
    (recorded as a repayment). Once per recovery and payroll (database-enforced)."""

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="offsets")
    payroll = models.ForeignKey(Payroll, on_delete=models.PROTECT, related_name="offsets")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="+")
    gross = models.DecimalField(_("应发（元）"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("抵扣（元）"), max_digits=12, decimal_places=2)
    repayment = models.OneToOneField(Repayment, on_delete=models.PROTECT, related_name="offset")

    class Meta:
        verbose_name = _("追缴抵扣")
        constraints = [
            models.UniqueConstraint(fields=["recovery", "payroll"], name="offset_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="offset_positive"),
        ]
