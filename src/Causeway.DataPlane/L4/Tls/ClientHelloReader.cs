using System.Buffers;
using System.Net.Sockets;

namespace Causeway.DataPlane.L4.Tls;

/// <summary>The bytes read while sniffing a ClientHello (pooled: dispose after use) and the parse outcome.</summary>
internal sealed class PeekedClientHello : IDisposable
{
    private byte[]? _buffer;

    public PeekedClientHello(byte[] buffer, int length, ClientHelloStatus status, string? serverName)
    {
        _buffer = buffer;
        Length = length;
        Status = status;
        ServerName = serverName;
    }

    public int Length { get; }
    public ClientHelloStatus Status { get; }
    public string? ServerName { get; }
    public ReadOnlyMemory<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(PeekedClientHello))).AsMemory(0, Length);

    public void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is not null) ArrayPool<byte>.Shared.Return(b);
    }
}

/// <summary>Reads from a client socket until a whole ClientHello is present (bounded size, caller-bounded time).</summary>
internal static class ClientHelloReader
{
    /// <param name="initial">Client bytes already read (after a PROXY header): the ClientHello starts with them.</param>
    public static async Task<PeekedClientHello> ReadAsync(Socket client, int maxBytes, CancellationToken ct, byte[]? initial = null)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Min(4096, maxBytes), initial?.Length ?? 0));
        var length = 0;
        try
        {
            if (initial is { Length: > 0 })
            {
                initial.CopyTo(buffer, 0);
                length = initial.Length;
                var first = ClientHelloParser.TryParse(buffer.AsSpan(0, length), maxBytes, out var name);
                if (first != ClientHelloStatus.Incomplete) return new PeekedClientHello(buffer, length, first, name);
            }
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= maxBytes) return new PeekedClientHello(buffer, length, ClientHelloStatus.Invalid, null);
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var room = Math.Min(buffer.Length, maxBytes) - length;
                var n = await client.ReceiveAsync(buffer.AsMemory(length, room), SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0) return new PeekedClientHello(buffer, length, ClientHelloStatus.Invalid, null);
                length += n;
                var status = ClientHelloParser.TryParse(buffer.AsSpan(0, length), maxBytes, out var sni);
                if (status != ClientHelloStatus.Incomplete) return new PeekedClientHello(buffer, length, status, sni);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
