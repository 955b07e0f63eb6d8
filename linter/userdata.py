"""Node user data as text: `--max-pods` flags in shell scripts, MIME multipart parts, NodeConfig detection."""
from __future__ import annotations

import re
from dataclasses import dataclass

# kubelet's --max-pods flag in a shell command or a --kubelet-extra-args string: `--max-pods=N`,
# `--max-pods N`, optionally quoted (reference/eksctl.md § 5.1; reference/vpc-cni.md § X15).
_MAX_PODS_FLAG = re.compile(r"""--max-pods(?![\w-])(?:=|[ \t]+)(?P<q>["']?)(?P<value>[^\s"';|&)]*)(?P=q)""")
# AL2 bootstrap.sh `--use-max-pods false` turns off its own eni-max-pods.txt default
# (reference/max-pods.md § 2, "Other producers").
_USE_MAX_PODS_FALSE = re.compile(r"""--use-max-pods(?:=|[ \t]+)["']?false\b""")
_BOUNDARY = re.compile(r"""boundary\s*=\s*(?:"(?P<quoted>[^"]+)"|(?P<bare>[^\s;]+))""", re.I)
_HEADER = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9-]*)\s*:\s*(?P<value>.*)$")
_NODECONFIG_HINT = re.compile(r"""^\s*kind:\s*["']?NodeConfig["']?\s*(?:#.*)?$""", re.M)


@dataclass(frozen=True, slots=True)
class TextHit:
    """A value found inside a string: its text and its [start, end) offsets in that string."""

    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class MimePart:
    """One part of multipart user data: its headers' content type and the body's offsets."""

    content_type: str
    transfer_encoding: str
    start: int
    end: int

    def body(self, text: str) -> str:
        return text[self.start : self.end]


def _comment_start(line: str) -> int:
    """Offset of a shell comment in a line (a `#` at the start or after blank), else len(line)."""
    for match in re.finditer(r"(?:^|(?<=[ \t]))#", line):
        return match.start()
    return len(line)


def max_pods_flags(text: object) -> tuple[TextHit, ...]:
    """Every `--max-pods` value in a shell script or kubelet argument string, outside comments."""
    if not isinstance(text, str):
        return ()
    hits: list[TextHit] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        active = line[: _comment_start(line)]
        for match in _MAX_PODS_FLAG.finditer(active):
            if match["value"]:
                hits.append(TextHit(match["value"], offset + match.start("value"), offset + match.end("value")))
        offset += len(line)
    return tuple(hits)


def disables_default_max_pods(text: object) -> bool:
    """Whether a bootstrap command passes `--use-max-pods false` outside comments."""
    if not isinstance(text, str):
        return False
    return any(_USE_MAX_PODS_FALSE.search(line[: _comment_start(line)]) for line in text.splitlines())


def max_pods_number(value: object) -> int | None:
    """A configured max pods as a whole number; None for anything else (bools, templates, text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _headers(text: str, start: int) -> tuple[dict[str, str], int]:
    """RFC 822 headers from `start` up to the first blank line; returns them and the body offset.

    A line that is not a header ends the block there (the body starts at that line).
    """
    headers: dict[str, str] = {}
    last = ""
    pos = start
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end].rstrip("\r")
        if not line.strip():
            return headers, min(end + 1, len(text))
        if line[0] in " \t" and last:
            headers[last] += " " + line.strip()
        else:
            match = _HEADER.match(line)
            if match is None:
                return headers, pos
            last = match["name"].lower()
            headers[last] = match["value"].strip()
        pos = end + 1
    return headers, len(text)


def mime_parts(text: object) -> tuple[MimePart, ...]:
    """The parts of `multipart/*` user data (as in EC2 launch templates); () for anything else."""
    if not isinstance(text, str):
        return ()
    headers, body_start = _headers(text, 0)
    content_type = headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/"):
        return ()
    match = _BOUNDARY.search(content_type)
    if match is None:
        return ()
    delimiter = "--" + (match["quoted"] or match["bare"])
    parts: list[MimePart] = []
    part_start: int | None = None
    pos = body_start
    while pos <= len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end].rstrip("\r \t")
        if line in (delimiter, delimiter + "--"):
            if part_start is not None:
                parts.append(_part(text, part_start, pos))
            if line.endswith("--") and line != delimiter:
                return tuple(parts)
            part_start = end + 1
        pos = end + 1
    if part_start is not None and part_start < len(text):
        parts.append(_part(text, part_start, len(text)))
    return tuple(parts)


def _part(text: str, start: int, end: int) -> MimePart:
    """A part from its header start to the delimiter line (the CRLF before it belongs to the delimiter)."""
    headers, body = _headers(text[:end], start)
    body_end = end
    if body_end > body and text[body_end - 1] == "\n":
        body_end -= 1
        if body_end > body and text[body_end - 1] == "\r":
            body_end -= 1
    content_type = headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    encoding = headers.get("content-transfer-encoding", "").strip().lower()
    return MimePart(content_type, encoding, body, max(body, body_end))


def looks_like_nodeconfig(text: object) -> bool:
    """Whether a bootstrap string is a nodeadm NodeConfig document rather than a shell script."""
    return isinstance(text, str) and _NODECONFIG_HINT.search(text) is not None
