"""The post rule "sources linked", on strings: which RFCs, manual pages and documents a
post's HTML names without a link, and where their first mention stands."""

from __future__ import annotations

from postrules.sources import first_line, mentions, unlinked_sources


def names(html: str) -> list[str]:
    return [source.name for source in unlinked_sources(html)]


def test_rfcs_manual_pages_and_documents_named_without_a_link_are_found_once_each():
    html = ("<p>ACME is RFC 8555 (section 6.5); keys use RFC&nbsp;7638.</p>"
            "<p>Again RFC 8555, and <code>useradd(8)</code> makes the user.</p>"
            "<ul><li>Python’s logging documentation warns about it, as logrotate's own manual does.</li></ul>")
    assert names(html) == ["RFC 8555", "RFC 7638", "useradd(8)", "Python's logging documentation",
                           "logrotate's manual"]


def test_a_link_in_the_same_paragraph_naming_the_source_links_every_mention():
    html = ('<p>See <a href="https://www.rfc-editor.org/rfc/rfc8555#section-6.5">section 6.5</a> '
            "of RFC 8555.</p><p>RFC 8555 again, unlinked: that is fine.</p>"
            '<p><a href="https://manpages.debian.org/useradd.8">useradd(8)</a> and '
            '<a href="https://docs.python.org/3/library/logging.html">Python\'s logging documentation</a>.</p>')
    assert names(html) == []
    # a link elsewhere, or one that names something else, does not count
    assert names('<p>RFC 5612.</p><p><a href="https://www.rfc-editor.org/rfc/rfc5612">it</a></p>') == \
        ["RFC 5612"]
    assert names('<p>RFC 5612, <a href="https://example.org/snmp">the MIB</a>.</p>') == ["RFC 5612"]


def test_samples_and_plain_words_are_not_sources():
    html = ('<figure class="sample"><pre>RFC 1234 useradd(8)</pre></figure>'
            "<pre>See RFC 9999</pre><p><code>print(1) + 2</code> is code; the documentation says so; "
            "it's manual; <code>see useradd(8)</code>.</p>")
    assert names(html) == []
    assert [s.name for s in mentions("len(x), f(a1) and systemd.service(5)")] == ["systemd.service(5)"]


def test_the_first_mention_gives_the_line():
    markdown = "Title: x\n\nIntro.\n\nThe protocol is\nRFC 8555, and Python's logging\ndocumentation agrees.\n"
    rfc, document = mentions("RFC 8555, and Python's logging documentation")
    assert first_line(markdown, rfc) == 6 and first_line(markdown, document) == 6
