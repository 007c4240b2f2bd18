"""Forms of the verification centre."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CandidateDecisionForm(forms.Form):
    """确认或否认一条疑似匹配 — confirm or reject a fuzzy-match candidate, with a reason."""

    decision = forms.ChoiceField(
        label=_("处理"), choices=[("confirm", _("确认是此人")), ("reject", _("不是此人"))]
    )
    reason = forms.CharField(
        label=_("理由"),
        max_length=300,
        error_messages={"required": _("请填写确认或否认的理由")},
        widget=forms.TextInput(attrs={"placeholder": _("如：姓名同音，出生日期、住址一致")}),
    )
