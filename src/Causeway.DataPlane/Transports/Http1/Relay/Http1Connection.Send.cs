using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Causeway.DataPlane.Transports.Http1.Relay;

/// <summary>
/// Writes to the client. When the transport exposes its socket (Kestrel's socket transport does), the fast path sends
/// directly with a non-blocking <c>send</c> (and awaits the socket only for what the kernel did not take) instead of
/// going through the output pipe and Kestrel's send loop: profiling showed the pipe write, flush, send-loop iteration and
/// SocketAsyncEventArgs round trip cost about as much user CPU per response as the rest of the relay. The client's
/// output pipe is then never written by the fast path, so the two can not reorder bytes; after a hand-off only Kestrel
/// writes (every direct send has completed by then). TLS connections always take the pipe path.
/// </summary>
internal sealed partial class Http1Connection
{
    /// <summary>Above this, body bytes are sent from the backend's buffers rather than copied behind the head.</summary>
    private const int CoalesceLimit = 16 * 1024;

    private Socket? _socket;

    /// <summary>Picks direct sends when the transport gives its socket (made non-blocking for synchronous sends).</summary>
    private void InitDirectSend()
    {
        // On TLS the socket carries ciphertext: only the transport pipe (the TLS stream) may be written.
        if (_x.Tls || !_owner.Options.Http1DirectSend) return;
        var socket = _connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket;
        if (socket is null) return;
        try
        {
            socket.Blocking = false;
            _socket = socket;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Closed already: the pipe path reports it.
        }
    }

    /// <summary>Commits what the exchange's response buffer holds: the pipe path writes it now, the socket path sends it with the next flush.</summary>
    private void CommitResp()
    {
        if (_socket is not null) return;
        _x.BytesSent += _x.Response.Length;
        _output.Write(_x.Response.Span);
        _x.Response.Clear();
    }

    private void ClientWrite(ReadOnlySpan<byte> bytes)
    {
        if (_socket is null)
        {
            _x.BytesSent += bytes.Length;
            _output.Write(bytes);
        }
        else _x.Response.Append(bytes);
    }

    private void ClientWriteChunkSize(int size)
    {
        Span<byte> line = stackalloc byte[10];
        Utf8Formatter.TryFormat(size, line, out var n, new StandardFormat('X'));
        line[n++] = (byte)'\r';
        line[n++] = (byte)'\n';
        ClientWrite(line[..n]);
    }

    /// <summary>Writes <paramref name="part"/> (body bytes still owned by the backend's pipe) and flushes everything.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendToClientAsync(ReadOnlySequence<byte> part)
    {
        if (_socket is null || _x.Response.Length + part.Length <= CoalesceLimit)
        {
            foreach (var segment in part) ClientWrite(segment.Span);
            await FlushClientAsync().ConfigureAwait(false);
            return;
        }
        await FlushClientAsync().ConfigureAwait(false);
        foreach (var segment in part)
        {
            _x.BytesSent += segment.Length;
            await SendDirectAsync(segment).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushClientAsync()
    {
        if (_socket is not null)
        {
            if (_x.Response.Length == 0) return;
            _x.BytesSent += _x.Response.Length;
            try
            {
                await SendDirectAsync(_x.Response.Memory).ConfigureAwait(false);
            }
            finally
            {
                _x.Response.Clear();
            }
            return;
        }
        Arm(_owner.Options.BackendActivityTimeout);
        FlushResult f;
        try
        {
            f = await _output.FlushAsync(Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw new ClientGoneException("writing the response: " + ex.Message);
        }
        if (f.IsCompleted) throw new ClientGoneException("client connection closed");
    }

    /// <summary>A non-blocking send; only the part the kernel did not take waits (under the activity timeout).</summary>
    private ValueTask SendDirectAsync(ReadOnlyMemory<byte> bytes)
    {
        int sent;
        SocketError error;
        try
        {
            sent = _socket!.Send(bytes.Span, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException ex)
        {
            throw new ClientGoneException("writing the response: " + ex.Message);
        }
        if (error == SocketError.Success && sent == bytes.Length) return ValueTask.CompletedTask;
        if (error is not (SocketError.Success or SocketError.WouldBlock))
            throw new ClientGoneException("writing the response: " + error);
        return SendRestAsync(bytes[sent..]);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestAsync(ReadOnlyMemory<byte> rest)
    {
        while (rest.Length > 0)
        {
            Arm(_owner.Options.BackendActivityTimeout);
            int n;
            try
            {
                n = await _socket!.SendAsync(rest, SocketFlags.None, Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                throw new ClientGoneException("writing the response: " + ex.Message);
            }
            if (n <= 0) throw new ClientGoneException("client connection closed");
            rest = rest[n..];
        }
    }

    /// <summary>The forwarded head of a bodiless request, sent on the backend socket directly (see the class remarks).</summary>
    private ValueTask SendHeadToBackendAsync(Http1BackendConnection backend)
    {
        var bytes = _x.Forward.Memory;
        int sent;
        SocketError error;
        try
        {
            sent = backend.Socket!.Send(bytes.Span, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException ex)
        {
            // Torn down by the transport (backend reset) since it was pooled: an I/O failure, so the retry applies.
            throw new IOException("backend connection closed", ex);
        }
        if (error == SocketError.Success && sent == bytes.Length) return ValueTask.CompletedTask;
        if (error is not (SocketError.Success or SocketError.WouldBlock)) throw new SocketException((int)error);
        return SendRestToBackendAsync(backend.Socket, bytes[sent..]);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestToBackendAsync(Socket socket, ReadOnlyMemory<byte> rest)
    {
        while (rest.Length > 0)
        {
            Arm(_owner.Options.BackendActivityTimeout);
            int n;
            try
            {
                n = await socket.SendAsync(rest, SocketFlags.None, Token).ConfigureAwait(false);
            }
            catch (ObjectDisposedException ex)
            {
                throw new IOException("backend connection closed", ex);
            }
            if (n <= 0) throw new IOException("backend connection closed");
            rest = rest[n..];
        }
    }
}
