using System.Text;

namespace Causeway.Echo.Tcp;

/// <summary>Reads '\n' terminated lines (a trailing '\r' is dropped, like Go's bufio.ScanLines) with a length cap.</summary>
internal sealed class LineReader(Stream stream, int maxLineLength)
{
    private readonly byte[] _buffer = new byte[4096];
    private readonly List<byte> _line = [];
    private int _start;
    private int _end;

    /// <summary>Next line, or null at end of stream. A final unterminated line is returned as a line.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                _line.AddRange(_buffer.AsSpan(_start, newline - _start));
                _start = newline + 1;
                return Take();
            }

            _line.AddRange(_buffer.AsSpan(_start, _end - _start));
            _start = _end = 0;
            if (_line.Count > maxLineLength)
            {
                throw new IOException("line too long");
            }

            var read = await stream.ReadAsync(_buffer, ct).ConfigureAwait(false);
            if (read == 0)
            {
                return _line.Count > 0 ? Take() : null;
            }

            _end = read;
        }
    }

    private string Take()
    {
        var count = _line.Count;
        if (count > 0 && _line[count - 1] == (byte)'\r')
        {
            count--;
        }

        var text = Encoding.UTF8.GetString(_line.ToArray(), 0, count);
        _line.Clear();
        return text;
    }
}
