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


def test_bulk_decryption_and_blind_indexes_agree_with_one_at_a_time():
    values = ["320125198001011234", " 32012519800101123x ", "11010520100615002X", ""]
    tokens = [crypto.encrypt(v) if v else "" for v in values]
    assert crypto.decrypt_many(tokens) == values
    for algorithm in ("hmac-sha256", "hmac-sm3"):
        bulk = crypto.blind_index_many(values, purpose="dept:banking", algorithm=algorithm).to_pylist()
        assert bulk == [crypto.blind_index(v, purpose="dept:banking", algorithm=algorithm) for v in values]
        other = crypto.blind_index_many(values, purpose="dept:tax", algorithm=algorithm).to_pylist()
        assert not set(bulk) & set(other)  # purpose-bound
