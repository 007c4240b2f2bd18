"""Choices of the application workflow. Codes are English; labels are the Chinese terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Program(models.TextChoices):
    """The programs one application (一门受理) may ask for; each becomes its own case."""

    DIBAO = "dibao", _("最低生活保障")
    TEKUN = "tekun", _("特困人员救助供养")
    EDGE = "edge", _("低保边缘家庭认定")
    RIGID_EXPENDITURE = "rigid_expenditure", _("刚性支出困难家庭认定")
    TEMPORARY_EMERGENCY = "temporary_emergency", _("临时救助（急难型）")
    TEMPORARY_EXPENDITURE = "temporary_expenditure", _("临时救助（支出型）")


# Programs paid monthly (an approval carries a monthly amount, payee and review date).
MONTHLY_PROGRAMS = {Program.DIBAO, Program.TEKUN}
# Programs paid once (possibly in stages).
ONE_OFF_PROGRAMS = {Program.TEMPORARY_EMERGENCY, Program.TEMPORARY_EXPENDITURE}
# Programs that recognise a status without a cash amount of their own.
STATUS_PROGRAMS = {Program.EDGE, Program.RIGID_EXPENDITURE}


class Channel(models.TextChoices):
    WINDOW = "window", _("乡镇（街道）窗口受理")
    DISCOVERY = "discovery", _("协理员发现报告转申请")
    LEAD = "lead", _("监测线索转申请")
    API = "api", _("接口（网上申请）")
    SELF = "self", _("群众自助申请（网上）")


class ProxyKind(models.TextChoices):
    NONE = "", _("本人申请")
    COMMITTEE = "committee", _("村（居）委会代为申请")
    COORDINATOR = "coordinator", _("社会救助协理员代办")
    RELATIVE = "relative", _("亲属或其他人代办（持委托书）")


class CaseKind(models.TextChoices):
    APPLICATION = "application", _("新申请")
    REVIEW = "review", _("定期复核")
    CHANGE = "change", _("变更复核")
    DEATH = "death", _("成员死亡复核")
    CONTINUATION = "continuation", _("户主死亡后延续救助（停旧建新）")


class State(models.TextChoices):
    """Where a case stands. The moves between states are the table in ``workflow.py``."""

    SUBMITTED = "submitted", _("已提交待受理")
    RETURNED = "returned", _("退回补正（一次性告知）")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ACCEPTED = "accepted", _("已受理待授权")
    AUTHORISED = "authorised", _("已授权待调查")
    INVESTIGATING = "investigating", _("调查核实中")
    ASSESSED = "assessed", _("已评估待初审")
    OPINION = "opinion", _("初审意见待公示")
    NOTICE = "notice", _("公示中")
    OBJECTION = "objection", _("公示有异议")
    REVIEW = "review", _("县级审核确认中")
    JOINT_MEETING = "joint_meeting", _("提交联席会议")
    HELPED = "helped", _("已先行救助待补办手续")
    OPENED = "opened", _("复核待调查")
    STOP_NOTICE = "stop_notice", _("终止供养公示中")
    APPROVED = "approved", _("已批准待送达")
    REFUSED = "refused", _("不予批准待送达")
    STOPPED = "stopped", _("停止救助待送达")
    NOTIFIED = "notified", _("已送达（办结）")
    TERMINATED = "terminated", _("终止办理")


FINAL_STATES = {State.NOT_ACCEPTED, State.NOTIFIED, State.TERMINATED}


class Outcome(models.TextChoices):
    NONE = "", _("未办结")
    APPROVED = "approved", _("批准")
    REFUSED = "refused", _("不予批准")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    TERMINATED = "terminated", _("终止")
    CONTINUED = "continued", _("维持")
    INCREASED = "increased", _("增发")
    DECREASED = "decreased", _("减发")
    STOPPED = "stopped", _("停发")


class ExtensionReason(models.TextChoices):
    """Grounds on which the total limit may be extended to 45 working days (第22条; 2022 通知)."""

    OBJECTION = "objection", _("公示有异议")
    SPLIT_HUKOU = "split_hukou", _("人户分离")
    CROSS_REGION = "cross_region", _("异地申请")
    COMPLEX = "complex", _("情况复杂")


class AuthRole(models.TextChoices):
    SELF = "self", _("本人")
    GUARDIAN = "guardian", _("监护人代未成年人")
    SUPPORTER = "supporter", _("法定义务人本人同意")


class DataItem(models.TextChoices):
    """What a verification authorisation covers (核对授权范围, domain-rules §6.1)."""

    HUKOU = "hukou", _("户籍")
    TAX = "tax", _("纳税记录")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险缴纳")
    REAL_ESTATE = "real_estate", _("不动产登记")
    BUSINESS = "business", _("市场主体登记")
    PROVIDENT_FUND = "provident_fund", _("住房公积金")
    VEHICLES = "vehicles", _("车船登记")
    DEPOSITS = "deposits", _("银行存款")
    INSURANCE = "insurance", _("商业保险")
    SECURITIES = "securities", _("证券")
    INTERNET_FINANCE = "internet_finance", _("互联网金融资产")
    PAYMENT_PLATFORMS = "payment_platforms", _("非银行支付机构")
    MARRIAGE = "marriage", _("婚姻登记")
    DEATH = "death", _("殡葬/死亡信息")


class VisitKind(models.TextChoices):
    HOME = "home", _("入户调查")
    NEIGHBOUR = "neighbour", _("邻里访问")
    WRITTEN = "written", _("信函索证")


class DecisionKind(models.TextChoices):
    APPROVE = "approve", _("批准")
    REFUSE = "refuse", _("不予批准")
    CONTINUE = "continue", _("维持原待遇")
    INCREASE = "increase", _("增发")
    DECREASE = "decrease", _("减发")
    STOP = "stop", _("停止救助")


REDUCTIONS = {DecisionKind.DECREASE, DecisionKind.STOP}


class Payee(models.TextChoices):
    HOUSEHOLD = "household", _("家庭账户")
    GUARDIAN = "guardian", _("监护人")
    INSTITUTION = "institution", _("供养机构（集中供养）")


class ObjectionHandling(models.TextChoices):
    NONE = "", _("待处理")
    REINVESTIGATE = "reinvestigate", _("重新调查")
    DELIBERATION = "deliberation", _("民主评议")
    DISMISSED = "dismissed", _("经核实异议不成立")


class NoticeStatus(models.TextChoices):
    RUNNING = "running", _("公示中")
    CLOSED = "closed", _("已结束")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("待召开")
    HELD = "held", _("已召开")


class MeetingDecision(models.TextChoices):
    PENDING = "", _("待议")
    APPROVE = "approve", _("同意救助，退回审核确认")
    REFUSE = "refuse", _("不予救助")
    DEFER = "defer", _("暂缓，下次再议")


class ComplaintKind(models.TextChoices):
    APPEAL = "appeal", _("申诉")
    REPORT = "report", _("投诉举报")


class ComplaintStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("已交办")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


class ComplaintOutcome(models.TextChoices):
    NONE = "", _("未办结")
    UPHELD = "upheld", _("属实，已纠正")
    PARTLY = "partly", _("部分属实")
    NOT_UPHELD = "not_upheld", _("不属实")
    WITHDRAWN = "withdrawn", _("撤回")


class LeadSource(models.TextChoices):
    DISCOVERY = "discovery", _("协理员发现报告")
    MONITORING = "monitoring", _("动态监测预警")
    HOTLINE = "hotline", _("12349 热线")
    REFERRAL = "referral", _("部门转介")


class LeadStatus(models.TextChoices):
    OPEN = "open", _("待联系")
    CONVERTED = "converted", _("已转申请")
    DECLINED = "declined", _("家庭不申请")


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("身份证")
    HUKOU = "hukou", _("户口簿")
    DISABILITY = "disability", _("残疾证")
    ILLNESS = "illness", _("疾病诊断证明")
    INCOME = "income", _("收入证明")
    POWER_OF_ATTORNEY = "power_of_attorney", _("委托书")
    AUTHORISATION = "authorisation", _("核对授权书")
    VISIT = "visit", _("入户调查表")
    VERIFICATION = "verification", _("核对报告")
    HEARING = "hearing", _("陈述申辩记录")
    LETTER = "letter", _("决定书")
    NOTICE = "notice", _("公示")
    OTHER = "other", _("其他材料")


class Relation(models.TextChoices):
    """近亲属 (the 2012 rules' list): spouse, parents, children, siblings, grandparents,
    grandchildren."""

    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶")
    PARENT = "parent", _("父母")
    CHILD = "child", _("子女")
    SIBLING = "sibling", _("兄弟姐妹")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")


class StaffPosition(models.TextChoices):
    CASEWORKER = "caseworker", _("低保经办人员")
    COMMITTEE = "committee", _("村（居）委会成员")
    OFFICER = "officer", _("民政部门工作人员")


class SpotCheckOutcome(models.TextChoices):
    PENDING = "", _("待抽查")
    CONFIRMED = "confirmed", _("核实无误")
    PROBLEM = "problem", _("发现问题")
