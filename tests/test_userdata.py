"""Tests of the user-data text parsers: --max-pods flags, MIME parts, NodeConfig detection."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eks_net_lint.userdata import (
    MimePart,
    TextHit,
    disables_default_max_pods,
    looks_like_nodeconfig,
    max_pods_flags,
    max_pods_number,
    mime_parts,
)

USER_DATA = """MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="//"

--//
Content-Type: application/node.eks.aws

---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  kubelet:
    config:
      maxPods: 110

--//
Content-Type: text/x-shellscript; charset="us-ascii"

#!/bin/bash
echo hello
--//--
"""


def values(text: str) -> list[str]:
    return [hit.value for hit in max_pods_flags(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/etc/eks/bootstrap.sh c --kubelet-extra-args '--max-pods=20'", ["20"]),
        ('/etc/eks/bootstrap.sh c --kubelet-extra-args "--node-labels=a=b --max-pods=58"', ["58"]),
        ("/etc/eks/bootstrap.sh c --use-max-pods false --kubelet-extra-args '--max-pods 30'", ["30"]),
        ('kubelet --max-pods="17"', ["17"]),
        ("kubelet --max-pods='17' --max-pods=18", ["17", "18"]),
        ("kubelet --max-pods=${MAX_PODS}", ["${MAX_PODS}"]),
        ("# /etc/eks/bootstrap.sh c --kubelet-extra-args '--max-pods=20'", []),
        ("bootstrap.sh c   # --max-pods=20", []),
        ("kubelet --max-pods-per-core=10", []),
        ("kubelet --max-pods=", []),
        ("no flag here", []),
    ],
)
def test_max_pods_flags(text: str, expected: list[str]) -> None:
    assert values(text) == expected


def test_max_pods_flag_offsets_point_at_the_value() -> None:
    text = "#!/bin/bash\nset -e\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--max-pods=20'\n"
    (hit,) = max_pods_flags(text)
    assert text[hit.start : hit.end] == "20"
    assert hit == TextHit("20", text.index("20"), text.index("20") + 2)


@pytest.mark.parametrize("value", [None, 5, ["--max-pods=3"], {"a": 1}])
def test_max_pods_flags_ignore_non_strings(value: object) -> None:
    assert max_pods_flags(value) == ()
    assert disables_default_max_pods(value) is False
    assert mime_parts(value) == ()


def test_disables_default_max_pods() -> None:
    assert disables_default_max_pods("/etc/eks/bootstrap.sh c --use-max-pods false")
    assert disables_default_max_pods("/etc/eks/bootstrap.sh c --use-max-pods=false")
    assert not disables_default_max_pods("/etc/eks/bootstrap.sh c --use-max-pods true")
    assert not disables_default_max_pods("# /etc/eks/bootstrap.sh c --use-max-pods false")


@pytest.mark.parametrize(
    ("value", "number"),
    [(110, 110), ("110", 110), (" 58 ", 58), (0, 0), (True, None), ("${MAX}", None), (1.5, None), (None, None), ("-3", None)],
)
def test_max_pods_number(value: object, number: int | None) -> None:
    assert max_pods_number(value) == number


def test_mime_parts_split_user_data() -> None:
    nodeconfig, script = mime_parts(USER_DATA)
    assert (nodeconfig.content_type, script.content_type) == ("application/node.eks.aws", "text/x-shellscript")
    assert nodeconfig.body(USER_DATA).startswith("---\napiVersion: node.eks.aws/v1alpha1\n")
    assert nodeconfig.body(USER_DATA).endswith("maxPods: 110\n")
    assert script.body(USER_DATA) == "#!/bin/bash\necho hello"


def test_mime_parts_handle_crlf_unquoted_boundary_and_missing_end() -> None:
    text = (
        "Content-Type: multipart/mixed;\r\n boundary=XYZ\r\nMIME-Version: 1.0\r\n\r\n"
        "preamble\r\n--XYZ\r\nContent-Type: text/x-shellscript\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "IyEvYmluL2Jhc2g=\r\n--XYZ\r\n\r\nplain body\r\n"
    )
    first, second = mime_parts(text)
    assert first == MimePart("text/x-shellscript", "base64", first.start, first.end)
    assert first.body(text) == "IyEvYmluL2Jhc2g="
    assert (second.content_type, second.body(text)) == ("text/plain", "plain body")


@pytest.mark.parametrize(
    "text",
    [
        "#!/bin/bash\n/etc/eks/bootstrap.sh c\n",
        "Content-Type: text/plain\n\nhello\n",
        "Content-Type: multipart/mixed\n\n--x\n\nbody\n",
        "",
    ],
)
def test_mime_parts_of_non_multipart_text_is_empty(text: str) -> None:
    assert mime_parts(text) == ()


PIECES = [*"-/=:; \t\r\n\"'#abcX0123456789", "--//", "boundary=", "Content-Type: multipart/mixed; ", "--max-pods"]


@given(st.lists(st.sampled_from(PIECES), max_size=80).map("".join))
def test_parsers_never_raise_and_stay_inside_the_text(text: str) -> None:
    for hit in max_pods_flags(text):
        assert text[hit.start : hit.end] == hit.value
    for part in mime_parts(text):
        assert 0 <= part.start <= part.end <= len(text)
    disables_default_max_pods(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n", True),
        ("---\nkind: 'NodeConfig' # nodeadm\n", True),
        ("#!/bin/bash\necho 'kind: NodeConfig is written below'\n", False),
        ("kind: NodeConfigList\n", False),
        (None, False),
    ],
)
def test_looks_like_nodeconfig(text: object, expected: bool) -> None:
    assert looks_like_nodeconfig(text) is expected
