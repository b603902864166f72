using System.Buffers;
using System.Net.Sockets;
using Causeway.DataPlane.Transports.ProxyProtocol;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.L4.Tcp;

/// <summary>
/// A ClientTrafficPolicy's <c>proxyProtocol</c> on a TCP or TLS port: the PROXY header (v1 or v2) a load balancer
/// sends before the client's bytes is read with the one parser (<see cref="ProxyHeaderParser"/>, as the HTTP
/// transports do); the client it names becomes the connection's client (access log, balancing by source address,
/// the PROXY header written to backends), and the bytes read after it are kept for the ClientHello or the backend.
/// </summary>
internal static class DownstreamProxyHeader
{
    /// <summary>Null when the connection may go on; otherwise why it is refused (no header, a malformed one, or none in time).</summary>
    public static async Task<string?> ReadAsync(TcpConnection connection, ProxyProtocolIr settings, TimeSpan timeout)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(512);
        var length = 0;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
        wait.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= ProxyHeaderParser.MaxV2Length) return "PROXY header too long";
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 4, ProxyHeaderParser.MaxV2Length));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                int n;
                try
                {
                    n = await connection.Client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!connection.Token.IsCancellationRequested)
                {
                    return "no PROXY header within " + timeout.TotalSeconds + " s";
                }
                if (n == 0) return "closed before its PROXY header";
                length += n;
                switch (ProxyHeaderParser.Parse(buffer.AsSpan(0, length), out var consumed, out var source))
                {
                    case ProxyHeaderStatus.Complete:
                        if (source is not null) connection.UseClient(source);
                        connection.Pending = buffer.AsSpan(consumed, length - consumed).ToArray();
                        return null;
                    case ProxyHeaderStatus.Absent when settings.Optional:
                        connection.Pending = buffer.AsSpan(0, length).ToArray();
                        return null;
                    case ProxyHeaderStatus.Absent:
                        return "no PROXY header (the listener's ClientTrafficPolicy requires one)";
                    case ProxyHeaderStatus.Invalid:
                        return "malformed PROXY header";
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
