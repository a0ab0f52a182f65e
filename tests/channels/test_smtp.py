"""The SMTP adapter beyond the contract: STARTTLS, pipelining or not, kept connections, the text."""

from __future__ import annotations

import ssl
import uuid
from email import message_from_bytes
from email import policy as email_policy

import pytest
import trustme
from hypothesis import given
from hypothesis import strategies as st

from servesell.channels.adapters.smtp import Smtp
from servesell.channels.message import OutboundMessage, Result
from servesell.channels.sinks.smtp import PASSWORD, USER, running_sink
from servesell.domain import Channel


def _mail(to: str = "good@example.cn", **fields: str) -> OutboundMessage:
    return OutboundMessage(
        id=uuid.uuid4().hex,
        channel=Channel.EMAIL,
        to=to,
        body=fields.get("body", "张**您好，您本期账单3,000.00元"),
        subject=fields.get("subject", "您的账单"),
        link=fields.get("link", "https://bank.example.cn/o/abc"),
    )


def _smtp(port: int, **options: object) -> Smtp:
    settings: dict[str, object] = {"starttls": False, "timeout": 2.0, **options}
    return Smtp(host="127.0.0.1", port=port, sender="示例银行 <bank@example.cn>", **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def test_starttls_encrypts_the_message_and_the_login(
    tls_server: ssl.SSLContext, trusting: ssl.SSLContext
) -> None:
    with running_sink(auth=True, tls=tls_server, require_tls=True) as (port, box):
        smtp = _smtp(port, starttls=True, tls_context=trusting, username=USER, password=PASSWORD)
        message = _mail()
        result = smtp.send(message)
        smtp.close()
    assert result.result is Result.SENT, result.reason
    assert box.secure == {f"<{message.id}@servesell>": True}
    assert box.logins == ["PLAIN over TLS"]


def test_a_certificate_the_client_does_not_trust_stops_the_send_before_the_login(
    tls_server: ssl.SSLContext,
) -> None:
    with running_sink(auth=True, tls=tls_server, require_tls=True) as (port, box):
        smtp = _smtp(port, starttls=True, username=USER, password=PASSWORD)  # system CAs
        result = smtp.send(_mail())
        smtp.close()
    assert result.result is Result.TRANSIENT
    assert "certificate verify failed" in result.reason
    assert (box.messages, box.logins) == ({}, [])


def test_a_server_without_starttls_never_gets_the_message_in_plain_text(
    trusting: ssl.SSLContext,
) -> None:
    with running_sink(auth=True) as (port, box):
        smtp = _smtp(port, starttls=True, tls_context=trusting, username=USER, password=PASSWORD)
        result = smtp.send(_mail())
        smtp.close()
    assert (result.result, result.reason) == (
        Result.TRANSIENT,
        "cannot connect or log in: the server does not offer STARTTLS",
    )
    assert (box.messages, box.logins) == ({}, [])


@pytest.mark.parametrize("pipelining", [True, False])
def test_each_answer_is_read_right_with_or_without_pipelining(pipelining: bool) -> None:
    with running_sink(pipelining=pipelining) as (port, box):
        smtp = _smtp(port, connections=2)
        sent = [smtp.send(_mail(to)) for to in ("a@example.cn", "reject@example.cn",
                                                  "later@example.cn", "b@example.cn")]  # fmt: skip
        smtp.close()
    assert [s.result for s in sent] == [
        Result.SENT, Result.PERMANENT, Result.TRANSIENT, Result.SENT,
    ]  # fmt: skip
    assert sent[1].reason == "recipient refused: 550 5.1.1 no such user"
    assert len(box.messages) == 2


def test_many_messages_share_few_connections() -> None:
    with running_sink() as (port, box):
        smtp = _smtp(port, connections=3)
        results = {smtp.send(_mail(f"c{i}@example.cn")).result for i in range(12)}
        kept = len(smtp._idle)
        smtp.close()
    assert results == {Result.SENT}
    assert len(box.messages) == 12
    assert kept == 1  # sent one after another: one connection carried all of them


def test_a_server_that_went_away_and_came_back_costs_no_retry() -> None:
    with running_sink() as (port, first):
        smtp = _smtp(port)
        assert smtp.send(_mail()).result is Result.SENT
    with running_sink(port=port) as (_, second):  # the kept connection is dead now
        again = smtp.send(_mail())
        smtp.close()
    assert again.result is Result.SENT, again.reason
    assert (len(first.messages), len(second.messages), second.duplicates) == (1, 1, 0)


def test_a_display_name_is_encoded_and_an_unusable_address_refused_for_good() -> None:
    with running_sink() as (port, box):
        smtp = _smtp(port)
        named = smtp.send(_mail("张三 <zs@example.cn>"))
        bad = [smtp.send(_mail(to)).result for to in ("zs at example.cn", "a\r\nRCPT@x.cn")]
        smtp.close()
    assert named.result is Result.SENT
    (received,) = box.messages.values()
    assert str(received["To"]).startswith("=?utf-8?")
    assert bad == [Result.PERMANENT, Result.PERMANENT]


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@given(subject=texts, body=texts)
def test_the_text_reads_back_as_written(subject: str, body: str) -> None:
    smtp = _smtp(25)
    message = _mail(subject=subject, body=body + "\n.\n..end")
    text = smtp.text(message, message.to)
    assert text.endswith(b"\r\n.\r\n")
    assert max(len(line) for line in text.split(b"\r\n")) <= 998
    unstuffed = text[: -len(b".\r\n")].replace(b"\r\n..", b"\r\n.")
    parsed = message_from_bytes(unstuffed, policy=email_policy.default)
    flat = " ".join(subject.replace("\r", " ").replace("\n", " ").replace("\t", " ").split())
    assert " ".join(str(parsed["Subject"]).split()) == flat
    assert parsed.get_content() == body + "\n.\n..end"  # base64 keeps every byte
    assert parsed["Message-ID"] == f"<{message.id}@servesell>"
    assert parsed["List-Unsubscribe"] == "<https://bank.example.cn/o/abc>"
    assert str(parsed["From"]) == "示例银行 <bank@example.cn>"
