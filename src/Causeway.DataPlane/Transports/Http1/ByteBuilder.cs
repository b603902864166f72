using System.Buffers;
using System.Buffers.Text;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>A reusable growable byte buffer for building heads (one per connection, never shared).</summary>
internal sealed class ByteBuilder
{
    private byte[] _buffer = new byte[1024];

    public int Length { get; private set; }
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Drops what was appended after the first <paramref name="length"/> bytes.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes; the rest moves to the front.</summary>
    public void RemoveStart(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Length);
        _buffer.AsSpan(count, Length - count).CopyTo(_buffer);
        Length -= count;
    }

    /// <summary>Bytes already appended, to overwrite in place (a value of fixed length written earlier).</summary>
    public Span<byte> Written(int start, int length) => _buffer.AsSpan(0, Length).Slice(start, length);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    public void Append(byte b)
    {
        Ensure(1);
        _buffer[Length++] = b;
    }

    /// <summary>"name: value\r\n".</summary>
    public void AppendHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Ensure(name.Length + value.Length + 4);
        Append(name);
        Append(": "u8);
        Append(value);
        Append("\r\n"u8);
    }

    /// <summary>Text as UTF-8 (header names and values taken from Kestrel's string headers).</summary>
    public void AppendText(ReadOnlySpan<char> text)
    {
        Ensure(System.Text.Encoding.UTF8.GetMaxByteCount(text.Length));
        Length += System.Text.Encoding.UTF8.GetBytes(text, _buffer.AsSpan(Length));
    }

    public void AppendDecimal(long value)
    {
        Ensure(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(Length), out var written);
        Length += written;
    }

    public void AppendHex(int value)
    {
        Ensure(8);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(Length), out var written, new StandardFormat('X'));
        Length += written;
    }

    private void Ensure(int extra)
    {
        if (Length + extra <= _buffer.Length) return;
        var bigger = new byte[Math.Max(_buffer.Length * 2, Length + extra)];
        _buffer.AsSpan(0, Length).CopyTo(bigger);
        _buffer = bigger;
    }
}
