import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, escapeXmlAttribute, escapeXmlText, stripForbiddenCharacters, truncateText } from '../../src/report/escape.js';
import { formatCount, formatDuration, formatLatency, formatSeconds } from '../../src/report/format.js';

describe('formatDuration', () => {
  it('shows seconds with one decimal under a minute', () => {
    assert.equal(formatDuration(42), '42.0 s');
    assert.equal(formatDuration(0), '0.0 s');
    assert.equal(formatDuration(59.94), '59.9 s');
  });

  it('moves to minutes instead of printing "60.0 s"', () => {
    assert.equal(formatDuration(59.96), '1m 00s');
  });

  it('shows minutes and zero-padded seconds under an hour', () => {
    assert.equal(formatDuration(312), '5m 12s');
    assert.equal(formatDuration(62), '1m 02s');
    assert.equal(formatDuration(3599.4), '59m 59s');
  });

  it('shows hours and zero-padded minutes beyond', () => {
    assert.equal(formatDuration(3599.6), '1h 00m');
    assert.equal(formatDuration(3720), '1h 02m');
    assert.equal(formatDuration(26 * 3600 + 5 * 60), '26h 05m');
  });

  it('never prints a negative or NaN duration', () => {
    assert.equal(formatDuration(-3), '0.0 s');
    assert.equal(formatDuration(Number.NaN), '—');
    assert.equal(formatDuration(Number.POSITIVE_INFINITY), '—');
  });
});

describe('number formats', () => {
  it('groups thousands with commas whatever the locale', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatSeconds(1204.34), '1,204.3 s');
    assert.equal(formatSeconds(0.04), '0.0 s');
    assert.equal(formatLatency(4100), '4.1 s');
    assert.equal(formatLatency(null), '—');
  });
});

describe('escaping', () => {
  it('strips the characters XML 1.0 forbids and keeps the rest, astral characters included', () => {
    assert.equal(stripForbiddenCharacters('a\u0000b\u0007c\u001bd\uFFFEe\uD800f\tg\nh😀'), 'abcdef\tg\nh😀');
  });

  it('escapes XML text and attributes', () => {
    assert.equal(escapeXmlText('<a> & ]]>\r\n'), '&lt;a&gt; &amp; ]]&gt;&#13;\n');
    assert.equal(escapeXmlAttribute('"x"\n\ty'), '&quot;x&quot;&#10;&#9;y');
  });

  it('escapes HTML, quotes included', () => {
    assert.equal(escapeHtml(`<script>alert('1')</script> & "`), '&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; &amp; &quot;');
  });

  it('truncates long text and says how much was left out, never splitting a surrogate pair', () => {
    assert.equal(truncateText('abcdef', 10), 'abcdef');
    assert.equal(truncateText('abcdef', 4), 'abcd… (2 more characters)');
    assert.equal(truncateText('ab😀cd', 3), 'ab… (4 more characters)');
  });
});
