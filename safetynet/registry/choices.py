"""Choices of the registry. Codes are English; labels are the Chinese terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class HukouType(models.TextChoices):
    URBAN = "urban", _("城镇户口")
    RURAL = "rural", _("农村户口")


class Relation(models.TextChoices):
    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    SIBLING = "sibling", _("兄弟姐妹")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    OTHER = "other", _("其他")


class ExclusionReason(models.TextChoices):
    """Why a member is not counted in the household (domain-rules §2.1)."""

    CLERGY = "clergy", _("宗教教职人员，脱离家庭生活连续三年以上")
    PRISONER = "prisoner", _("在监狱服刑")
    DRUG_REHAB = "drug_rehab", _("强制隔离戒毒")
    MISSING = "missing", _("宣告失踪")
    CONSCRIPT = "conscript", _("义务兵（地方规定）")
    PROVINCIAL = "provincial", _("省级民政部门规定的其他情形")


class DisabilityCategory(models.TextChoices):
    NONE = "", _("无")
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class WorkCapacity(models.TextChoices):
    FULL = "full", _("有劳动能力")
    PARTIAL = "partial", _("部分丧失劳动能力")
    NONE = "none", _("无劳动能力")


class Schooling(models.TextChoices):
    NOT_IN_SCHOOL = "none", _("不在学")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("普通高中")
    VOCATIONAL = "vocational", _("中职/高职")
    UNDERGRADUATE = "undergraduate", _("本科/专科")
    POSTGRADUATE = "postgraduate", _("研究生")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("单位就业")
    SELF_EMPLOYED = "self_employed", _("个体经营")
    FLEXIBLE = "flexible", _("灵活就业")
    FARMING = "farming", _("务农")
    UNEMPLOYED_REGISTERED = "unemployed_registered", _("登记失业")
    UNEMPLOYED = "unemployed", _("未就业")
    RETIRED = "retired", _("退休")
    NOT_APPLICABLE = "na", _("不适用（未成年/在校等）")


class SupportDuty(models.TextChoices):
    SUPPORT_ELDER = "shanyang", _("赡养")
    SUPPORT_CHILD = "fuyang_child", _("抚养")
    SUPPORT_SPOUSE = "fuyang_spouse", _("扶养")


class Source(models.TextChoices):
    DECLARED = "declared", _("申报")
    HOME_VISIT = "home_visit", _("入户调查")
    VERIFICATION = "verification", _("核对结果")


class IncomeKind(models.TextChoices):
    """Income types of 审核确认办法 第13条, plus the items that are not counted."""

    WAGES = "wages", _("工资性收入")
    EMPLOYMENT_COSTS = "employment_costs", _("必要就业成本")
    BUSINESS = "business", _("经营净收入")
    PROPERTY = "property", _("财产净收入")
    SUPPORT_RECEIVED = "support_received", _("赡养/抚养/扶养费收入")
    SUPPORT_PAID = "support_paid", _("支付的赡养/抚养/扶养费")
    PENSION = "pension", _("养老金/离退休金")
    OTHER_TRANSFER = "other_transfer", _("其他转移性收入")
    TAXES_CONTRIBUTIONS = "taxes_contributions", _("个人所得税及社会保险缴费")
    BASIC_PENSION = "basic_pension", _("城乡居民基础养老金（不计入）")
    NOT_COUNTED = "not_counted", _("不计入收入的项目（优抚、奖励、救助等）")
    OTHER = "other", _("其他收入")


class AssetKind(models.TextChoices):
    DEPOSITS = "deposits", _("存款及现金")
    SECURITIES = "securities", _("有价证券/基金")
    INSURANCE = "insurance", _("商业保险")
    OTHER_MONETARY = "other_monetary", _("其他金融资产（含互联网金融）")
    VEHICLE = "vehicle", _("机动车辆")
    DWELLING = "dwelling", _("住房")
    NON_RESIDENTIAL = "non_residential", _("非住宅房产")
    BUSINESS = "business", _("企业出资/经营实体")


class ExpenseKind(models.TextChoices):
    MEDICAL = "medical", _("医疗支出（自付）")
    SCHOOLING = "schooling", _("教育支出")
    REHABILITATION = "rehabilitation", _("康复及辅具支出")
    OTHER = "other", _("其他刚性支出")


class ChangeKind(models.TextChoices):
    CREATED = "created", _("建档")
    EDITED = "edited", _("家庭信息修改")
    ADDRESS = "address", _("地址变更")
    MEMBER_JOINED = "member_joined", _("成员加入")
    MEMBER_LEFT = "member_left", _("成员离开")
    MEMBER_DIED = "member_died", _("成员死亡")
    MEMBER_EDITED = "member_edited", _("成员信息修改")
    SUPPORTER = "supporter", _("赡养义务人变更")
    INCOME = "income", _("收入申报")
    ASSET = "asset", _("财产申报")
    EXPENSE = "expense", _("刚性支出申报")
