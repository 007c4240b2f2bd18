from django.test import override_settings

from safetynet.core import crypto
from safetynet.core.masking import mask_account, mask_id_number, mask_phone


def test_aes_gcm_round_trip_and_random_nonce():
    a, b = crypto.encrypt("11010519491231002X"), crypto.encrypt("11010519491231002X")
    assert a != b and a.startswith("a1:")
    assert crypto.decrypt(a) == "11010519491231002X"


def test_sm4_is_selectable_and_old_values_stay_readable():
    old = crypto.encrypt("hello")
    with override_settings(SAFETYNET_CIPHER="sm4-gcm"):
        new = crypto.encrypt("你好")
        assert new.startswith("s1:")
        assert crypto.decrypt(new) == "你好"
        assert crypto.decrypt(old) == "hello"


def test_blind_index_is_keyed_normalised_and_purpose_bound():
    assert crypto.blind_index("11010519491231002x") == crypto.blind_index(" 11010519491231002X ")
    assert crypto.blind_index("A", purpose="lookup") != crypto.blind_index("A", purpose="dept:vehicles")
    with override_settings(SAFETYNET_BLIND_INDEX="hmac-sm3"):
        assert crypto.blind_index("A") != crypto.blind_index("A", algorithm="hmac-sha256")
    with override_settings(SAFETYNET_INDEX_KEY="ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTE="):
        other = crypto.blind_index("A")
    assert other != crypto.blind_index("A")


def test_masks():
    assert mask_id_number("32010219900101123X") == "3201**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_account("6228480012345678901") == "***************8901"
    assert mask_id_number("") == ""
