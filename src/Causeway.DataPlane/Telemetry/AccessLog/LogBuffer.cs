using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// A growable UTF-8 buffer that access log lines are formatted straight into (no strings made per line), with the JSON
/// primitives the default format needs. String values are escaped exactly as <see cref="Utf8JsonWriter"/>'s default
/// encoder escapes them: a value made only of bytes that encoder never escapes is copied as it is (the usual case,
/// checked vectorized); any other value goes through <see cref="JsonEncodedText"/>, which is that encoder.
/// </summary>
internal sealed class LogBuffer : IBufferWriter<byte>
{
    /// <summary>Printable ASCII that the default JSON encoder leaves alone (it escapes <c>"&amp;'+&lt;&gt;\`</c>, controls and non-ASCII).</summary>
    private static readonly SearchValues<byte> PlainBytes = SearchValues.Create(PlainSet());
    private static readonly SearchValues<char> PlainChars = SearchValues.Create(Encoding.ASCII.GetString(PlainSet()));

    private byte[] _bytes;
    private int _length;
    private long _second = -1;
    private readonly byte[] _secondText = new byte[20]; // "yyyy-MM-ddTHH:mm:ss." of _second

    public LogBuffer(int capacity = 64 * 1024) => _bytes = new byte[capacity];

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _bytes.AsMemory(0, _length);

    public void Clear() => _length = 0;

    /// <summary>Forgets what was written after <paramref name="length"/> (a line that failed half-way).</summary>
    public void Truncate(int length) => _length = Math.Min(_length, length);

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 256));
        return _bytes.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 256));
        return _bytes.AsSpan(_length);
    }

    /// <summary>Bytes as they are (literal JSON syntax, property names).</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Text as UTF-8, unescaped (text formats).</summary>
    public void Utf8(ReadOnlySpan<char> text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _bytes.AsSpan(_length));
    }

    public void Byte(byte b)
    {
        Ensure(1);
        _bytes[_length++] = b;
    }

    public void Null() => Raw("null"u8);

    public void Number(long value)
    {
        Ensure(20);
        Utf8Formatter.TryFormat(value, _bytes.AsSpan(_length), out var n);
        _length += n;
    }

    /// <summary>A JSON string of UTF-8 text (quoted, escaped).</summary>
    public void String(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAnyExcept(PlainBytes) < 0)
        {
            Ensure(utf8.Length + 2);
            var span = _bytes.AsSpan(_length);
            span[0] = (byte)'"';
            utf8.CopyTo(span[1..]);
            span[utf8.Length + 1] = (byte)'"';
            _length += utf8.Length + 2;
            return;
        }
        if (Ascii.IsValid(utf8))
        {
            EscapedAscii(utf8);
            return;
        }
        JsonEncodedText encoded;
        try
        {
            encoded = JsonEncodedText.Encode(utf8);
        }
        catch (ArgumentException)
        {
            encoded = JsonEncodedText.Encode(Encoding.UTF8.GetString(utf8)); // invalid UTF-8: replacement characters
        }
        Quoted(encoded.EncodedUtf8Bytes);
    }

    /// <summary>A JSON string, or null.</summary>
    public void String(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }
        if (value.AsSpan().IndexOfAnyExcept(PlainChars) < 0)
        {
            Ensure(value.Length + 2);
            var span = _bytes.AsSpan(_length);
            span[0] = (byte)'"';
            Encoding.ASCII.GetBytes(value, span[1..]);
            span[value.Length + 1] = (byte)'"';
            _length += value.Length + 2;
            return;
        }
        if (Ascii.IsValid(value) && value.Length <= 1024)
        {
            Span<byte> ascii = stackalloc byte[value.Length];
            Encoding.ASCII.GetBytes(value, ascii);
            EscapedAscii(ascii);
            return;
        }
        JsonEncodedText encoded;
        try
        {
            encoded = JsonEncodedText.Encode(value);
        }
        catch (ArgumentException)
        {
            encoded = JsonEncodedText.Encode(Encoding.UTF8.GetBytes(value)); // lone surrogates: replacement characters
        }
        Quoted(encoded.EncodedUtf8Bytes);
    }

    /// <summary>An address as a JSON string without making its text (IPv4 and IPv6 as <see cref="IPAddress.ToString"/> writes them).</summary>
    public void String(IPAddress address)
    {
        Span<byte> text = stackalloc byte[64];
        if (address.TryFormat(text, out var n)) String(text[..n]);
        else String(address.ToString());
    }

    /// <summary>A time as <c>"yyyy-MM-ddTHH:mm:ss.fffZ"</c> (quoted), as <c>ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'")</c> writes it.</summary>
    public void Timestamp(DateTimeOffset time)
    {
        Ensure(26);
        var ticks = time.Ticks; // the clock time; the offset is not printed, as with the format string
        var second = ticks - ticks % TimeSpan.TicksPerSecond;
        if (second != _second)
        {
            // Lines come in time order mostly: the date and time up to the second are made once per second.
            var t = new DateTime(second);
            var (year, month, day) = t;
            var p = _secondText;
            Digits(p.AsSpan(0, 4), year);
            p[4] = (byte)'-';
            Digits(p.AsSpan(5, 2), month);
            p[7] = (byte)'-';
            Digits(p.AsSpan(8, 2), day);
            p[10] = (byte)'T';
            Digits(p.AsSpan(11, 2), t.Hour);
            p[13] = (byte)':';
            Digits(p.AsSpan(14, 2), t.Minute);
            p[16] = (byte)':';
            Digits(p.AsSpan(17, 2), t.Second);
            p[19] = (byte)'.';
            _second = second;
        }
        var s = _bytes.AsSpan(_length, 26);
        s[0] = (byte)'"';
        _secondText.CopyTo(s[1..]);
        Digits(s.Slice(21, 3), (int)(ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMillisecond));
        s[24] = (byte)'Z';
        s[25] = (byte)'"';
        _length += 26;

        static void Digits(Span<byte> into, int value)
        {
            for (var i = into.Length - 1; i >= 0; i--)
            {
                into[i] = (byte)('0' + value % 10);
                value /= 10;
            }
        }
    }

    /// <summary>
    /// ASCII with bytes to escape, quoted, escaped as Utf8JsonWriter's default escaping does: <c>\n \r \t \b \f \\</c>
    /// by their short forms, everything else (the quote included) as <c>\uXXXX</c> with upper-case hex digits.
    /// </summary>
    private void EscapedAscii(ReadOnlySpan<byte> ascii)
    {
        Ensure(ascii.Length * 6 + 2);
        var span = _bytes.AsSpan(_length);
        var n = 0;
        span[n++] = (byte)'"';
        while (ascii.Length > 0)
        {
            var plain = ascii.IndexOfAnyExcept(PlainBytes);
            if (plain < 0) plain = ascii.Length;
            ascii[..plain].CopyTo(span[n..]);
            n += plain;
            if (plain == ascii.Length) break;
            var b = ascii[plain];
            ascii = ascii[(plain + 1)..];
            span[n++] = (byte)'\\';
            switch (b)
            {
                case (byte)'\n': span[n++] = (byte)'n'; break;
                case (byte)'\r': span[n++] = (byte)'r'; break;
                case (byte)'\t': span[n++] = (byte)'t'; break;
                case (byte)'\\': span[n++] = (byte)'\\'; break;
                case (byte)'\b': span[n++] = (byte)'b'; break;
                case (byte)'\f': span[n++] = (byte)'f'; break;
                default:
                    span[n++] = (byte)'u';
                    span[n++] = (byte)'0';
                    span[n++] = (byte)'0';
                    span[n++] = (byte)"0123456789ABCDEF"[b >> 4];
                    span[n++] = (byte)"0123456789ABCDEF"[b & 0xF];
                    break;
            }
        }
        span[n++] = (byte)'"';
        _length += n;
    }

    private void Quoted(ReadOnlySpan<byte> escaped)
    {
        Ensure(escaped.Length + 2);
        var span = _bytes.AsSpan(_length);
        span[0] = (byte)'"';
        escaped.CopyTo(span[1..]);
        span[escaped.Length + 1] = (byte)'"';
        _length += escaped.Length + 2;
    }

    private void Ensure(int more)
    {
        if (_bytes.Length - _length >= more) return;
        var bigger = new byte[Math.Max(_bytes.Length * 2, _length + more)];
        _bytes.AsSpan(0, _length).CopyTo(bigger);
        _bytes = bigger;
    }

    private static byte[] PlainSet()
    {
        var set = new List<byte>();
        for (var b = 0x20; b < 0x7F; b++)
            if ("\"&'+<>\\`".IndexOf((char)b, StringComparison.Ordinal) < 0) set.Add((byte)b);
        return [.. set];
    }
}
