using System.Text;

namespace Causeway.Translation.Output;

/// <summary>
/// Buffers characters and passes them to the inner writer in chunks (on <see cref="Flush"/> and when full).
/// Does not own the inner writer: disposing flushes it, never closes it.
/// </summary>
internal sealed class ChunkedWriter : TextWriter
{
    private readonly TextWriter inner;
    private readonly char[] _buffer = new char[32 * 1024];
    private int _count;

    public ChunkedWriter(TextWriter inner)
        : base(inner.FormatProvider)
    {
        this.inner = inner;
        NewLine = inner.NewLine; // WriteLine() must end lines as the inner writer would
    }

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (_count == _buffer.Length) FlushBuffer();
        _buffer[_count++] = value;
    }

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        while (buffer.Length > 0)
        {
            if (_count == _buffer.Length) FlushBuffer();
            var n = Math.Min(buffer.Length, _buffer.Length - _count);
            buffer[..n].CopyTo(_buffer.AsSpan(_count));
            _count += n;
            buffer = buffer[n..];
        }
    }

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Flush()
    {
        FlushBuffer();
        inner.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) FlushBuffer();
        base.Dispose(disposing);
    }

    private void FlushBuffer()
    {
        if (_count == 0) return;
        inner.Write(_buffer, 0, _count);
        _count = 0;
    }
}
