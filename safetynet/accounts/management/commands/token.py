"""`safetynet token create|list|revoke` — API tokens for systems calling /api/v1/.

    safetynet token create --user NAME [--name LABEL] [--days N]   prints the token once
    safetynet token list --user NAME                                prefixes, never the token
    safetynet token revoke snt_PREFIX [--user NAME]

Tokens are shown by their prefix written as ``snt_XXXXXXXX`` (the first characters of the
token): a bare prefix may begin with "-", which a shell command line would take for an option.
``revoke`` accepts that form, a bare prefix, or the whole token.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.accounts.models import ApiToken, User
from safetynet.accounts.services import token_create, token_revoke


class Command(BaseCommand):
    help = "API tokens: `token create --user NAME [--name LABEL] [--days N]`, `token list --user NAME`, `token revoke snt_PREFIX`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for a user; it is printed once")
        create.add_argument("--user", required=True, help="username")
        create.add_argument("--name", default="", help="a label, e.g. the calling system")
        create.add_argument("--days", type=int, default=None, help="valid for N days (default: no expiry)")
        listing = sub.add_parser("list", help="a user's tokens (prefix, name, dates, state)")
        listing.add_argument("--user", required=True, help="username")
        revoke = sub.add_parser(
            "revoke", help="revoke a token by the snt_XXXXXXXX prefix shown by `token list`"
        )
        revoke.add_argument("prefix", help="snt_XXXXXXXX as shown by `token list` (or the whole token)")
        revoke.add_argument("--user", default=None, help="username (when a prefix is ambiguous)")

    def handle(self, *args, **options):
        getattr(self, "_" + options["action"])(options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户 %(u)s 不存在") % {"u": username})
        return user

    def _create(self, options) -> None:
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError(_("--days 必须是正整数（有效天数），收到 %(d)s") % {"d": days})
        user = self._user(options["user"])
        if not user.is_active:
            raise CommandError(_("用户 %(u)s 已停用，不能签发令牌") % {"u": user.username})
        token, key = token_create(actor=None, user=user, name=options["name"], days=days)
        expires = _when(token.expires_at) if token.expires_at else _("不过期")
        self.stderr.write(
            _("已为 %(u)s 签发令牌（前缀 %(p)s，到期：%(e)s）。令牌只显示这一次，请妥善保存：")
            % {"u": user.username, "p": _shown(token), "e": expires}
        )
        self.stdout.write(key)

    def _list(self, options) -> None:
        user = self._user(options["user"])
        tokens = ApiToken.objects.filter(user=user).order_by("created_at", "id")
        if not tokens:
            self.stdout.write(_("用户 %(u)s 没有令牌") % {"u": user.username})
            return
        self.stdout.write("prefix        state    created           expires           last used         name")
        for t in tokens:
            state = "revoked" if t.revoked else "active"
            self.stdout.write(
                f"{_shown(t):<13} {state:<8} {_when(t.created_at):<17} {_when(t.expires_at):<17} "
                f"{_when(t.last_used_at):<17} {t.name}"
            )

    def _revoke(self, options) -> None:
        given = options["prefix"].strip()
        prefix = given[4:12] if given.startswith("snt_") else given
        tokens = ApiToken.objects.filter(prefix=prefix).select_related("user")
        if options["user"]:
            tokens = tokens.filter(user__username=options["user"])
        found = list(tokens)
        if not found:
            raise CommandError(_("没有前缀为 %(p)s 的令牌") % {"p": given})
        if len(found) > 1:
            raise CommandError(_("前缀 %(p)s 对应多个令牌，请用 --user 指定用户") % {"p": given})
        token = found[0]
        if token.revoked:
            self.stdout.write(_("令牌 %(p)s 早已撤销") % {"p": _shown(token)})
            return
        token_revoke(actor=None, token=token)
        self.stdout.write(_("已撤销用户 %(u)s 的令牌 %(p)s") % {"u": token.user.username, "p": _shown(token)})


def _shown(token: ApiToken) -> str:
    return "snt_" + token.prefix


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"
