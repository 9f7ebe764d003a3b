"""What a peer on the network answers is read with the same bounds as a stick: a deep or broken body is a
refusal with a message, never a RecursionError in the hub's delivery run."""

import pytest

from federation import signing, transport
from federation.errors import Malformed, Refused


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"error":' + b"[" * 5000, b"\xff\xfe", b""])
def test_transport__a_hostile_aggregator_answer_is_a_plain_refusal(body):
    refused = transport.refusal(400, body)
    assert isinstance(refused, Refused) and refused.status == 400


def test_loads__depth_is_bounded_before_parsing_and_strings_do_not_count():
    assert signing.loads(b'{"a":"' + b"[" * 10_000 + b'"}') == {"a": "[" * 10_000}
    assert signing.nesting_depth(b"[" * signing.MAX_DEPTH + b"]" * signing.MAX_DEPTH) == signing.MAX_DEPTH
    with pytest.raises(Malformed, match="nested more than 32"):
        signing.loads(b"[" * (signing.MAX_DEPTH + 1) + b"]" * (signing.MAX_DEPTH + 1))
