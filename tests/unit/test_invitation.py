"""The invitation e-mail built for one client: its name, real room title, link and the link's terms."""

from __future__ import annotations

from onboarding.invitation import expiry_date, invitation


def test_invitation_holds_name_room_link_and_expiry() -> None:
    """The mail greets the client, names the room, carries the link and says until when it works."""
    mail = invitation(
        name="Müller & Söhne GmbH",
        email="kontakt@mueller.example",
        room_title="Client - Müller & Söhne GmbH",
        link_url="https://portal.example/s/abc123",
        link_expires="2027-01-31T10:00:00.0000000+01:00",
        sender="anna.manager@sandbox.example",
    )
    assert mail is not None
    assert mail.to == "kontakt@mueller.example"
    assert mail.subject == "Your document room “Client - Müller & Söhne GmbH” is ready"
    assert mail.body.startswith("Hello Müller & Söhne GmbH,")
    assert "\nhttps://portal.example/s/abc123\n" in mail.body
    assert "works until 2027-01-31" in mail.body
    assert "You will find the documents we share with you there" in mail.body  # a paragraph, one line
    assert "upload" not in mail.body  # only a role that may add files is told it can
    assert mail.body.rstrip().endswith("anna.manager@sandbox.example")
    assert mail.text.startswith("To: kontakt@mueller.example\nSubject: Your document room")


def test_no_link_no_invitation() -> None:
    """A client without a link (not onboarded, or archived) gets no invitation text."""
    assert invitation(name="A", email="a@x.example", room_title="R", link_url="") is None


def test_sign_in_only_link_says_so_and_no_expiry_no_date() -> None:
    """A link the portal made internal tells the client to sign in; no expiry means no date line."""
    mail = invitation(name="", email="", room_title="", link_url="https://p/s/k", sign_in_only=True)
    assert mail is not None
    assert mail.body.startswith("Hello,")
    assert "sign in to our portal" in mail.body
    assert "works until" not in mail.body
    assert "“your client room”" in mail.body
    assert not mail.text.startswith("To:")


def test_expiry_date_reads_api_dates() -> None:
    """API dates with fractions, offsets or Z become a plain date; other text stays as it is."""
    assert expiry_date("2026-12-30T10:00:00.0000000+00:00") == "2026-12-30"
    assert expiry_date("2026-12-30T10:00:00Z") == "2026-12-30"
    assert expiry_date("") == ""
    assert expiry_date("next week") == "next week"


def test_invitation_says_the_client_can_upload_only_when_its_role_can() -> None:
    """``can_upload`` adds the sentence that the client can upload its own documents."""
    mail = invitation(
        name="A", email="a@x.example", room_title="R", link_url="https://p/s/k", can_upload=True
    )
    assert mail is not None and "you can upload your own." in mail.body
