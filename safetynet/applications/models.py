"""Applications and cases (申请与审核确认): one application (一门受理) may ask for several
programs; each program is a case with its own procedure (``workflow.py``). Everything a case
gathers on its way hangs off the case: transitions, authorisations, visits, the verification
report, the rules snapshot, public-notice lines, decisions, hearings, documents."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safetynet.applications import choices as c
from safetynet.core.models import TrackedModel
from safetynet.core.permissions import ScopedManager, region_q


def _scope(user: Any, region_field: str = "region_code", household_field: str = "household") -> Q:
    """Staff by region (a range on the 12-digit code), a resident by their own household."""
    from safetynet.registry.models import _staff_or_resident_q

    return _staff_or_resident_q(user, region_field, household_field)


class Counter(models.Model):
    """编号计数器 — a per-key, per-year sequence (the county's 文号, application numbers).

    Incremented with a conditional UPDATE inside the caller's transaction, so two decisions at
    once never get the same number (the row is locked until the transaction ends)."""

    key = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        constraints = [models.UniqueConstraint(fields=["key", "year"], name="counter_key_year")]


class Lead(TrackedModel):
    """救助线索 — a household or person who may need help, found by a coordinator (发现报告),
    by monitoring, the hotline or a department. Not an application: the coordinator contacts the
    family, who apply themselves or let the coordinator apply for them (domain-rules §11.18)."""

    region_code = models.CharField(_("所属村/社区"), max_length=12)
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("家庭")
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("人员")
    )
    source = models.CharField(_("线索来源"), max_length=20, choices=c.LeadSource.choices)
    note = models.TextField(_("情况说明"))
    status = models.CharField(
        _("状态"), max_length=20, choices=c.LeadStatus.choices, default=c.LeadStatus.OPEN
    )
    due_on = models.DateField(_("联系期限"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("负责人"),
    )
    outcome_note = models.TextField(_("处理情况"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("救助线索")
        ordering = ["due_on", "id"]
        indexes = [
            # serves: open leads of a village/township, by due date
            models.Index(fields=["status", "region_code", "due_on"], name="lead_open_region")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.pk}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _scope(user)


class Application(TrackedModel):
    """救助申请（一门受理）— one household's application, possibly for several programs, with
    who applied, for whom, through which channel, and what materials were missing."""

    number = models.CharField(_("申请编号"), max_length=30, unique=True)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, verbose_name=_("申请家庭"))
    region_code = models.CharField(_("所属村/社区"), max_length=12)
    applicant = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    programs = models.JSONField(_("申请项目"), default=list)
    channel = models.CharField(_("受理渠道"), max_length=20, choices=c.Channel.choices)
    proxy_kind = models.CharField(_("代办方式"), max_length=20, choices=c.ProxyKind.choices, blank=True)
    proxy_name = models.CharField(_("代办人/单位"), max_length=100, blank=True)
    proxy_relation = models.CharField(_("代办人与申请人关系"), max_length=50, blank=True)
    proxy_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("代办协理员"),
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    submitted_on = models.DateField(_("申请日期"))
    commitment_signed = models.BooleanField(_("已签署承诺书"), default=False)
    materials = models.JSONField(_("已收材料"), default=list)
    missing_items = models.JSONField(_("待补正材料"), default=list)
    note = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("救助申请")
        indexes = [models.Index(fields=["household", "submitted_on"], name="application_household")]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _scope(user)


class Case(TrackedModel):
    """救助个案 — one program's procedure for one household: its state, due dates per step and
    in total, the conflict-of-interest flag, the preliminary opinion and the outcome."""

    number = models.CharField(_("个案编号"), max_length=40, unique=True)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, verbose_name=_("家庭"))
    region_code = models.CharField(_("所属村/社区"), max_length=12)
    township_code = models.CharField(_("所属乡镇"), max_length=12)
    program = models.CharField(_("救助项目"), max_length=30, choices=c.Program.choices)
    kind = models.CharField(
        _("个案类型"), max_length=20, choices=c.CaseKind.choices, default=c.CaseKind.APPLICATION
    )
    state = models.CharField(_("办理环节"), max_length=20, choices=c.State.choices)
    version = models.PositiveIntegerField(default=1)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    opened_on = models.DateField(_("立案日期"))
    clock_start = models.DateField(_("时限起算日"), null=True, blank=True)
    delegated = models.BooleanField(_("审核确认权下放乡镇"), default=False)
    step_entered_on = models.DateField(_("进入本环节日期"))
    step_due = models.DateField(_("本环节期限"), null=True, blank=True)
    step_due_provisional = models.BooleanField(default=False)
    step_limit = models.CharField(_("本环节时限"), max_length=40, blank=True)
    total_due = models.DateField(_("办结期限"), null=True, blank=True)
    total_due_provisional = models.BooleanField(default=False)
    extended = models.BooleanField(_("已延期"), default=False)
    extension_reason = models.CharField(
        _("延期事由"), max_length=20, choices=c.ExtensionReason.choices, blank=True
    )
    extension_note = models.TextField(_("延期说明"), blank=True)
    review_due = models.DateField(_("复核期限"), null=True, blank=True)
    conflict_flag = models.BooleanField(_("近亲属备案"), default=False)
    conflict_detail = models.JSONField(_("近亲属关系"), default=list, blank=True)
    separately_registered_on = models.DateField(_("单独登记备案日期"), null=True, blank=True)
    separate_register_no = models.CharField(_("备案编号"), max_length=40, blank=True)
    opinion_text = models.TextField(_("初审意见"), blank=True)
    opinion_eligible = models.BooleanField(_("初审认为符合条件"), null=True, blank=True)
    proposed_amount = models.DecimalField(
        _("拟救助金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    proposed_kind = models.CharField(
        _("拟处理意见"), max_length=20, choices=c.DecisionKind.choices, blank=True
    )
    snapshot = models.ForeignKey(
        "eligibility.DecisionSnapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rules_eligible = models.BooleanField(_("规则评估结果"), null=True, blank=True)
    rules_amount = models.DecimalField(
        _("规则测算金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    outcome = models.CharField(_("办理结果"), max_length=20, choices=c.Outcome.choices, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    predecessor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        verbose_name=_("关联原个案"),
    )
    change_report = models.OneToOneField(
        "registry.ChangeReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    change_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entitlement_active = models.BooleanField(_("享受待遇中"), default=False)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("救助个案")
        indexes = [
            # serves: worklists and home-page counts (open cases of a region, by due date)
            models.Index(
                fields=["region_code", "step_due"],
                condition=Q(closed_at__isnull=True),
                name="case_open_region_due",
            ),
            # serves: the supervisor's view (open cases grouped by township)
            models.Index(
                fields=["township_code", "state"],
                condition=Q(closed_at__isnull=True),
                name="case_open_township",
            ),
            # serves: the review schedule (entitlements whose review falls due)
            models.Index(
                fields=["next_review_on"], condition=Q(entitlement_active=True), name="case_review_schedule"
            ),
            # serves: the cases of a household (household summary, duplicate checks)
            models.Index(fields=["household", "program"], name="case_household_program"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_program_display()}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _scope(user)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Transition(models.Model):
    """流转记录 — one move of a case (or a dated event such as an extension): who, from, to,
    why, when, and the due date of the step entered."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(_("操作"), max_length=30)
    from_state = models.CharField(_("原环节"), max_length=20, choices=c.State.choices, blank=True)
    to_state = models.CharField(_("新环节"), max_length=20, choices=c.State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    time = models.DateTimeField(_("时间"))
    step_due = models.DateField(_("本环节期限"), null=True, blank=True)
    step_due_provisional = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("流转记录")
        ordering = ["time", "id"]
        indexes = [models.Index(fields=["case", "time"], name="transition_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_state} → {self.to_state}"


class Document(TrackedModel):
    """附件材料 — a scan or PDF attached to a case (or to its application): the type is sniffed
    from the content, the size checked, the SHA-256 stored. Served only inside the case's region."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12)
    kind = models.CharField(_("材料类型"), max_length=30, choices=c.DocumentKind.choices)
    title = models.CharField(_("名称"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", max_length=300)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("附件材料")
        indexes = [models.Index(fields=["case", "kind"], name="document_case")]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _scope(user)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Authorisation(TrackedModel):
    """核对授权 — one person's consent to the verification of their economic data: an adult for
    themselves, a guardian for a minor, a legal supporter outside the household with their own
    consent (domain-rules §11.12). Covers periodic reviews while assistance lasts."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="authorisations"
    )
    region_code = models.CharField(max_length=12)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="authorisations", verbose_name=_("被核对人")
    )
    signed_by = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("签署人")
    )
    role = models.CharField(_("签署身份"), max_length=20, choices=c.AuthRole.choices)
    scope = models.JSONField(_("授权核对事项"), default=list)
    purpose = models.CharField(_("用途"), max_length=200)
    valid_from = models.DateField(_("有效期自"))
    valid_to = models.DateField(_("有效期至"), null=True, blank=True)
    document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("授权书扫描件"),
    )
    esign_record = models.CharField(_("电子签名记录"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("核对授权")
        indexes = [models.Index(fields=["household", "person"], name="authorisation_person")]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _scope(user)


class HomeVisit(TrackedModel):
    """调查记录 — a home visit (入户调查, at least two investigators, signed by the family
    members present), a neighbour visit (邻里访问) or written evidence (信函索证). A remote
    visit is allowed with a reason; a county visit is required for flagged cases."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(_("调查方式"), max_length=20, choices=c.VisitKind.choices)
    visited_on = models.DateField(_("调查日期"))
    investigators = models.JSONField(_("调查人员"), default=list)
    family_signatures = models.JSONField(_("签字家庭成员"), default=list, blank=True)
    remote = models.BooleanField(_("远程（电话/视频）调查"), default=False)
    remote_reason = models.CharField(_("远程调查原因"), max_length=300, blank=True)
    by_county = models.BooleanField(_("县级入户核查"), default=False)
    neighbours = models.CharField(_("走访对象"), max_length=300, blank=True)
    findings = models.TextField(_("调查情况"))
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("调查记录")
        ordering = ["visited_on", "id"]


class VerificationReport(TrackedModel):
    """核对报告 — the household economic-status verification report. Until the verification hub
    exists, an officer attaches the report received from the verification centre (source
    ``centre``), recorded as such."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="verification_reports")
    source = models.CharField(_("来源"), max_length=20, default="centre")
    report_number = models.CharField(_("报告编号"), max_length=50, blank=True)
    issuer = models.CharField(_("出具单位"), max_length=100)
    received_on = models.DateField(_("收到日期"))
    summary = models.TextField(_("核对结果摘要"))
    concerns = models.BooleanField(_("发现不符合条件的情况"), default=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("核对报告")


class Deliberation(TrackedModel):
    """民主评议 — a community deliberation after an objection: participants, how many are
    residents' representatives, the vote."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deliberations")
    held_on = models.DateField(_("评议日期"))
    participants = models.PositiveSmallIntegerField(_("参加人数"))
    representatives = models.PositiveSmallIntegerField(_("其中居民代表人数"))
    votes_for = models.PositiveSmallIntegerField(_("赞成"))
    votes_against = models.PositiveSmallIntegerField(_("反对"))
    abstentions = models.PositiveSmallIntegerField(_("弃权"), default=0)
    minutes = models.TextField(_("评议记录"))

    class Meta:
        verbose_name = _("民主评议")


class PublicNotice(TrackedModel):
    """公示 — the list of proposed households of one village or community, posted for 7 days,
    showing only what the law allows (applicant's name, household size, amount, village)."""

    number = models.CharField(_("公示编号"), max_length=40, unique=True)
    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12)
    program = models.CharField(_("救助项目"), max_length=30, choices=c.Program.choices)
    issuer = models.CharField(_("发布单位"), max_length=100)
    contact_phone = models.CharField(_("异议受理电话"), max_length=50)
    contact_address = models.CharField(_("异议受理地址"), max_length=200)
    start_date = models.DateField(_("公示开始"))
    end_date = models.DateField(_("公示截止"))
    status = models.CharField(
        _("状态"), max_length=20, choices=c.NoticeStatus.choices, default=c.NoticeStatus.RUNNING
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("公示")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        if user.role == "resident":
            return Q(pk__in=[])
        return _scope(user, household_field="pk")


class NoticeLine(models.Model):
    """公示名单行 — one proposed household: name, size, amount, village and nothing else."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="lines")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notice_lines")
    applicant_name = models.CharField(_("申请人"), max_length=50)
    household_size = models.PositiveSmallIntegerField(_("家庭人数"))
    amount = models.DecimalField(
        _("拟救助金额（元/月）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    program_label = models.CharField(_("救助项目"), max_length=50)
    village_name = models.CharField(_("村/社区"), max_length=100)

    class Meta:
        verbose_name = _("公示名单")
        ordering = ["id"]


class Objection(TrackedModel):
    """公示异议 — an objection recorded against a notice line while the notice runs, and how it
    was handled (re-investigation, community deliberation, dismissed after checking)."""

    line = models.ForeignKey(NoticeLine, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.CharField(_("异议人"), max_length=100, blank=True)
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("异议内容"))
    handling = models.CharField(_("处理方式"), max_length=20, choices=c.ObjectionHandling.choices, blank=True)
    handling_note = models.TextField(_("处理情况"), blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")


class JointMeeting(TrackedModel):
    """联席会议（一事一议）— the county's meeting for hard cases: agenda, minutes, a decision per
    case applied back to the case."""

    region_code = models.CharField(_("所属县"), max_length=12)
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("会议日期"))
    participants = models.TextField(_("参会单位及人员"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=c.MeetingStatus.choices, default=c.MeetingStatus.PLANNED
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("联席会议")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        if user.role == "resident":
            return Q(pk__in=[])
        if user.region_id and len(user.region_id) == 12 and user.region_id[6:] != "000000":
            # township and village staff see the meetings of their county
            return Q(region_code=user.region_id[:6] + "000000")
        return _scope(user, household_field="pk")


class MeetingItem(models.Model):
    """议题 — one case on a joint meeting's agenda and what the meeting decided for it."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="meeting_items")
    decision = models.CharField(_("会议决定"), max_length=20, choices=c.MeetingDecision.choices, blank=True)
    note = models.TextField(_("决定理由"), blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("会议议题")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="meeting_case_once")]


class Hearing(TrackedModel):
    """陈述申辩（听取意见）— the household's opinion heard before a decrease or a stop
    (社会救助法 第48条)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    held_on = models.DateField(_("听取意见日期"))
    attendees = models.CharField(_("参加人员"), max_length=300)
    statement = models.TextField(_("家庭陈述意见"))
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("陈述申辩记录")


class EmergencyPayment(TrackedModel):
    """先行救助 — cash paid at once from the township's standby fund (临时救助备用金) before the
    paperwork; recorded with recipient and signatures."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="emergency_payments")
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("发放日期"))
    paid_to = models.CharField(_("领款人"), max_length=50)
    signatures = models.CharField(_("经办及领款签字"), max_length=200)
    reason = models.TextField(_("急难事由"))
    township_code = models.CharField(_("备用金所属乡镇"), max_length=12, blank=True)
    receipt_no = models.CharField(_("领款凭证号"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("先行救助")


class Decision(TrackedModel):
    """审核确认决定 — approval (program, covered persons, amount with each member's own part,
    first payment month, taper, payee, next review) or refusal / stop (written reasons, the rule
    that failed), with the county's document number (文号) and the letter."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("决定"), max_length=20, choices=c.DecisionKind.choices)
    decided_on = models.DateField(_("决定日期"))
    amount = models.DecimalField(_("救助金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    rules_amount = models.DecimalField(
        _("规则测算金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_reason = models.TextField(_("金额与规则测算不同的理由"), blank=True)
    members = models.JSONField(_("保障对象及个人金额"), default=list, blank=True)
    first_payment_month = models.DateField(_("起始发放月份"), null=True, blank=True)
    taper = models.JSONField(_("渐退安排"), default=list, blank=True)
    stages = models.JSONField(_("分阶段发放"), default=list, blank=True)
    standby_cash = models.JSONField(_("先行救助（乡镇备用金）"), default=list, blank=True)
    payee_kind = models.CharField(_("收款方"), max_length=20, choices=c.Payee.choices, blank=True)
    payee_name = models.CharField(_("收款人/机构"), max_length=100, blank=True)
    payee_account_enc = models.TextField(blank=True)
    payee_account_masked = models.CharField(_("收款账号"), max_length=40, blank=True)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    reasons = models.TextField(_("理由"), blank=True)
    failed_rules = models.JSONField(_("未通过的条件"), default=list, blank=True)
    legal_basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    document_number = models.CharField(_("文号"), max_length=50, blank=True)
    letter = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    hearing = models.ForeignKey(Hearing, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    meeting_item = models.ForeignKey(
        MeetingItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    AUDIT_EXCLUDE = ("payee_account_enc",)

    class Meta:
        verbose_name = _("审核确认决定")
        constraints = [
            models.UniqueConstraint(
                fields=["document_number"], condition=~Q(document_number=""), name="decision_number_once"
            )
        ]


class Complaint(TrackedModel):
    """申诉、投诉举报 — registered against a case or a person, assigned, answered, closed with an
    outcome."""

    kind = models.CharField(_("类型"), max_length=20, choices=c.ComplaintKind.choices)
    region_code = models.CharField(_("所属区划"), max_length=12)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints")
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    complainant = models.CharField(_("申诉/举报人"), max_length=100, blank=True)
    contact_enc = models.TextField(blank=True)
    contact_masked = models.CharField(_("联系方式"), max_length=40, blank=True)
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=20, choices=c.ComplaintStatus.choices, default=c.ComplaintStatus.REGISTERED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承办人"),
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=20, choices=c.ComplaintOutcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    AUDIT_EXCLUDE = ("contact_enc",)

    class Meta:
        verbose_name = _("申诉与投诉举报")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["status", "region_code"], name="complaint_open_region")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _scope(user)


class StaffRelative(TrackedModel):
    """工作人员近亲属申报 — a relative a staff member (or a village committee member) declares,
    kept as a keyed hash of the identity number, used to flag applications by near relatives
    (审核确认办法 第20条: 单独登记备案)."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declared_relatives",
        verbose_name=_("工作人员"),
    )
    staff_name = models.CharField(_("工作人员姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=20, choices=c.StaffPosition.choices)
    region_code = models.CharField(_("任职区划"), max_length=12)
    relative_name = models.CharField(_("亲属姓名"), max_length=50)
    relative_hash = models.CharField(max_length=64, db_index=True)
    relative_masked = models.CharField(_("亲属证件号码"), max_length=24)
    relation = models.CharField(_("关系"), max_length=20, choices=c.Relation.choices)
    declared_on = models.DateField(_("申报日期"))
    ended_on = models.DateField(_("撤销日期"), null=True, blank=True)

    objects = ScopedManager()

    AUDIT_EXCLUDE = ("relative_hash",)

    class Meta:
        verbose_name = _("工作人员近亲属申报")

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        """Staff see their own declarations and, for officers, those of their region."""
        if user.role in ("county_officer", "auditor", "admin", "caseworker"):
            if user.region_id is None:
                return Q() if user.role == "admin" else Q(staff=user)
            return Q(staff=user) | region_q("region_code", user.region_id)
        return Q(staff=user)


class SpotCheck(TrackedModel):
    """县级抽查 — where confirmation of tekun is delegated to the township, the county checks at
    least the share set by ``workflow.spot_check_percent`` (tekun 30%) of the township's confirmed
    cases of a period. The sample is drawn reproducibly (seed from the population) and recorded."""

    township_code = models.CharField(_("乡镇（街道）"), max_length=12)
    region_code = models.CharField(_("所属县"), max_length=12)
    program = models.CharField(_("救助项目"), max_length=30, choices=c.Program.choices)
    period_from = models.DateField(_("确认日期自"))
    period_to = models.DateField(_("确认日期至"))
    share_percent = models.DecimalField(_("抽查比例（%）"), max_digits=5, decimal_places=2)
    share_reference = models.CharField(_("比例依据"), max_length=300, blank=True)
    population = models.JSONField(_("应抽查范围（个案）"), default=list)
    seed = models.CharField(_("抽样种子"), max_length=64)
    drawn_on = models.DateField(_("抽样日期"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("县级抽查")
        ordering = ["-drawn_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["township_code", "program", "period_from", "period_to"], name="spot_check_period_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.township_code} {self.period_from}–{self.period_to}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        if user.role == "resident":
            return Q(pk__in=[])
        return _scope(user, region_field="township_code", household_field="pk")


class SpotCheckItem(models.Model):
    """One sampled case and the county's check of it."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="spot_checks")
    outcome = models.CharField(_("抽查结果"), max_length=20, choices=c.SpotCheckOutcome.choices, blank=True)
    note = models.TextField(_("抽查情况"), blank=True)
    checked_on = models.DateField(_("抽查日期"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("抽查个案")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "case"], name="spot_check_case_once")]
