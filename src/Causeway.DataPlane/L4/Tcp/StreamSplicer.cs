using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;

namespace Causeway.DataPlane.L4.Tcp;

/// <summary>
/// Copies bytes both ways between the client and the backend with pooled buffers. When one side finishes sending,
/// the other side's send direction is shut down (half-close) and the opposite direction keeps flowing. An error in
/// either direction aborts the connection.
/// </summary>
internal static class StreamSplicer
{
    public static async Task SpliceAsync(
        TcpConnection connection, Stream client, Stream backend, Socket backendSocket, L4Metrics metrics, int bufferSize)
    {
        var ct = connection.Token;
        var up = PumpAsync(connection, client, backend, backendSocket, metrics, fromClient: true, bufferSize, ct);
        var down = PumpAsync(connection, backend, client, connection.Client, metrics, fromClient: false, bufferSize, ct);
        var first = await Task.WhenAny(up, down).ConfigureAwait(false);
        if (!first.IsCompletedSuccessfully) connection.Abort();
        try { await Task.WhenAll(up, down).ConfigureAwait(false); }
        catch (Exception) when (up.IsCompleted && down.IsCompleted) { /* observed: the connection ends either way */ }
    }

    private static async Task PumpAsync(
        TcpConnection connection, Stream source, Stream destination, Socket destinationSocket, L4Metrics metrics,
        bool fromClient, int bufferSize, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            while (true)
            {
                var n = await source.ReadAsync(buffer.AsMemory(), ct).ConfigureAwait(false);
                if (n == 0) break;
                connection.Touch();
                if (fromClient)
                {
                    metrics.AddBytesFromClient(n);
                    Interlocked.Add(ref connection.BytesFromClient, n);
                }
                else
                {
                    metrics.AddBytesToClient(n);
                    Interlocked.Add(ref connection.BytesToClient, n);
                }
                await destination.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            }
        }
        catch
        {
            connection.Abort();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await ShutdownSendAsync(destination, destinationSocket).ConfigureAwait(false);
    }

    private static async Task ShutdownSendAsync(Stream destination, Socket socket)
    {
        try
        {
            if (destination is SslStream ssl) await ssl.ShutdownAsync().ConfigureAwait(false);
            else await destination.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
        try { socket.Shutdown(SocketShutdown.Send); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
