using System.Globalization;
using System.Text;

namespace Causeway.DataPlane.Tests.Differential;

/// <summary>Buffered reads off a stream for the raw HTTP peers of the differential tests (strict CRLF framing).</summary>
public sealed class ByteReader(Stream stream, CancellationToken token)
{
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[65536];

    /// <summary>Bytes read but not consumed yet.</summary>
    public int Buffered => _pending.Count;

    /// <summary>The head up to and including CRLFCRLF, or null on EOF before any byte of it.</summary>
    public async Task<byte[]?> ReadHeadAsync()
    {
        var crlf2 = "\r\n\r\n"u8.ToArray();
        while (true)
        {
            var idx = IndexOf(crlf2);
            if (idx >= 0) return Take(idx + 4);
            if (!await FillAsync())
            {
                if (_pending.Count == 0) return null;
                throw new IOException("EOF inside a head: " + Encoding.Latin1.GetString([.. _pending]));
            }
        }
    }

    public async Task<byte[]> ReadLineAsync()
    {
        var crlf = "\r\n"u8.ToArray();
        while (true)
        {
            var idx = IndexOf(crlf);
            if (idx >= 0) return Take(idx + 2);
            if (!await FillAsync()) throw new IOException("EOF inside a line");
        }
    }

    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        while (_pending.Count < count)
        {
            if (!await FillAsync()) throw new IOException($"EOF after {_pending.Count} of {count} body bytes");
        }
        return Take(count);
    }

    /// <summary>Decodes a chunked body (trailers are read and dropped); throws on any framing error.</summary>
    public async Task<byte[]> ReadChunkedAsync()
    {
        var body = new List<byte>();
        while (true)
        {
            var line = Encoding.ASCII.GetString(await ReadLineAsync()).TrimEnd('\r', '\n');
            var size = int.Parse(line.Split(';')[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                while ((await ReadLineAsync()).Length > 2) { }
                return [.. body];
            }
            body.AddRange(await ReadExactlyAsync(size));
            if (!(await ReadExactlyAsync(2)).AsSpan().SequenceEqual("\r\n"u8)) throw new IOException("chunk without CRLF");
        }
    }

    /// <summary>Everything until EOF (or until <paramref name="quiet"/> passes with nothing new, when given).</summary>
    public async Task<(byte[] Bytes, bool Eof)> ReadRestAsync(TimeSpan? quiet = null)
    {
        while (true)
        {
            bool more;
            if (quiet is { } q)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
                cts.CancelAfter(q);
                try
                {
                    more = await FillAsync(cts.Token);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    return (Take(_pending.Count), false);
                }
            }
            else
            {
                more = await FillAsync();
            }
            if (!more) return (Take(_pending.Count), true);
        }
    }

    private Task<bool> FillAsync() => FillAsync(token);

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        int n;
        try
        {
            n = await stream.ReadAsync(_buffer, ct);
        }
        catch (IOException)
        {
            return false; // reset by peer counts as EOF here
        }
        if (n == 0) return false;
        _pending.AddRange(_buffer.AsSpan(0, n).ToArray());
        return true;
    }

    private byte[] Take(int count)
    {
        var result = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return result;
    }

    private int IndexOf(byte[] pattern)
    {
        for (var i = 0; i + pattern.Length <= _pending.Count; i++)
        {
            var ok = true;
            for (var j = 0; j < pattern.Length && ok; j++) ok = _pending[i + j] == pattern[j];
            if (ok) return i;
        }
        return -1;
    }
}
