using Causeway.DataPlane.Tls.Fingerprints;
using System.Runtime.CompilerServices;
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Causeway.DataPlane.Policies.ClientTraffic.Connection;

namespace Causeway.DataPlane.Transports.Http1.Relay;

/// <summary>
/// One client connection on the fast path: reads a request head, routes it against the port's current table and,
/// when the rule is eligible, relays it (see the Relay part); otherwise leaves the request unconsumed and hands the
/// connection to the Kestrel pipeline for good.
/// </summary>
internal sealed partial class Http1Connection
{
    private readonly Http1FastPath _owner;
    private readonly ConnectionContext _connection;
    private readonly ICompiledPortSource _port;
    private readonly Http1Exchange _x;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private CancellationTokenSource _timeout = new();
    private byte[]? _clientIp;
    private int _idle;
    private int _closeRequested;
    private readonly long _opened = Environment.TickCount64;
    private long _served;
    private bool _policyClose;

    /// <param name="tls">The connection is TLS (decrypted below): X-Forwarded-Proto https, SNI checked, no direct sends.</param>
    /// <param name="sni">The server name of the TLS handshake, if any.</param>
    public Http1Connection(Http1FastPath owner, ConnectionContext connection, ICompiledPortSource port, bool tls, string? sni)
    {
        _owner = owner;
        _connection = connection;
        _port = port;
        _x = new Http1Exchange(owner, TransportSet.Http1Relay, tls, sni, (connection.LocalEndPoint as IPEndPoint)?.Port ?? 0)
        {
            RemoteEndPoint = connection.RemoteEndPoint,
            LocalEndPoint = connection.LocalEndPoint,
        };
        _x.Policy.SetClient((connection.RemoteEndPoint as IPEndPoint)?.Address);
        _x.Fingerprints = connection.Features.Get<TlsFingerprintFeature>();
        if (tls && connection.Features.Get<Microsoft.AspNetCore.Http.Features.ITlsConnectionFeature>()?.ClientCertificate is { } client)
            _x.Peer = new Policies.ClientTraffic.ForwardedClientCert.PeerCertificates(client,
                Policies.ClientTraffic.ForwardedClientCert.PeerCertificates.LocalOf(connection.Features));
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
    }

    private enum Step { Relay, Reply, HandOff, Close }

    private CancellationToken Token => _timeout.Token;

    public async Task RunAsync(ConnectionDelegate next)
    {
        var lifetime = _connection.Features.Get<IConnectionLifetimeNotificationFeature>();
        var registration = lifetime is null ? default
            : lifetime.ConnectionClosedRequested.UnsafeRegister(static s => ((Http1Connection)s!).OnCloseRequested(), this);
        var handOff = false;
        var inExchange = false;
        InitDirectSend();
        try
        {
            while (true)
            {
                var step = await ReadRequestAsync().ConfigureAwait(false);
                if (step == Step.HandOff)
                {
                    handOff = true;
                    break;
                }
                if (step == Step.Reply)
                {
                    _owner.CountRequest();
                    _bodyLeft = _x.Head.ContentLength; // unread: the connection closes after the reply
                    inExchange = true;
                    var open = await ReplyAsync(_x.Reply!).ConfigureAwait(false);
                    inExchange = false;
                    _owner.Completed(TransportSet.Http1Relay, _x, aborted: false);
                    if (!open) break;
                    continue;
                }
                if (step == Step.Close) break;
                inExchange = true;
                var keep = await RelayAsync().ConfigureAwait(false);
                inExchange = false;
                _owner.Completed(TransportSet.Http1Relay, _x, aborted: false);
                if (!keep) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException
            or ConnectionResetException or InvalidOperationException or ClientGoneException or BackendProtocolException)
        {
            _owner.LogAborted(ex.Message);
            if (inExchange) _owner.Completed(TransportSet.Http1Relay, _x, aborted: true);
        }
        finally
        {
            registration.Dispose();
            _timeout.Dispose();
            DropKept();
        }
        if (handOff) await next(_connection).ConfigureAwait(false);
    }

    /// <summary>Graceful stop: an idle connection closes now, a busy one after its current response.</summary>
    private void OnCloseRequested()
    {
        Interlocked.Exchange(ref _closeRequested, 1);
        if (Volatile.Read(ref _idle) == 1) _input.CancelPendingRead();
    }

    /// <summary>Graceful stop, or the port's ClientTrafficPolicy ends the connection after this response (request count or age).</summary>
    private bool CloseRequested => _policyClose || Volatile.Read(ref _closeRequested) == 1;

    /// <summary>
    /// How long to wait for the next request: the idle (keep-alive) timeout. A connection past its allowed age is not
    /// closed while idle: its next request's response closes it (Envoy's HTTP/1 default).
    /// </summary>
    private TimeSpan IdleWait(ClientConnectionPolicy? policy) => policy?.Idle ?? _owner.Options.KeepAliveTimeout;

    /// <summary>A request not received in time (ClientTrafficPolicy timeouts) before it was routed: Envoy's 408, then close.</summary>
    private async ValueTask<Step> HeadTimedOutAsync()
    {
        _owner.LogAborted("request not received within the ClientTrafficPolicy timeout");
        _timeout.Dispose();
        _timeout = new CancellationTokenSource();
        _x.ResetForRequest();
        _x.WriteReply(ClientConnectionPolicy.RequestTimeout, close: true);
        CommitResp();
        await FlushClientAsync().ConfigureAwait(false);
        return Step.Close;
    }

    private void Arm(TimeSpan timeout) => _timeout.CancelAfter(timeout);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Step> ReadRequestAsync()
    {
        var policy = _port.Current.Connection;
        var limit = ClientConnectionPolicy.MaxRequestHeadersOr(policy, _owner.Options.MaxRequestHeadersTotalSize);
        var partial = false;
        var partialArmed = false;
        long started = 0;
        while (true)
        {
            Interlocked.Exchange(ref _idle, partial ? 0 : 1);
            if (!partial && CloseRequested) return Step.Close;
            // Idle: the keep-alive timeout. A head that arrives in pieces gets a short deadline (set once, so a
            // trickling client cannot extend it) before Kestrel takes over with its own header timeout.
            // A ClientTrafficPolicy's head timeout is answered here (408); without one, a slow head goes on to Kestrel.
            if (!partial) Arm(IdleWait(policy));
            else if (!partialArmed)
            {
                Arm(policy?.Head ?? _owner.PartialHeadWait);
                partialArmed = true;
            }
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (partial && policy?.Head is not null)
            {
                return await HeadTimedOutAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (partial)
            {
                return HandOff("request head not complete in time");
            }
            catch (OperationCanceledException)
            {
                return Step.Close; // keep-alive timeout
            }
            finally
            {
                Interlocked.Exchange(ref _idle, 0);
            }
            var buffer = result.Buffer;
            if (started == 0 && !buffer.IsEmpty) started = Environment.TickCount64;
            if (result.IsCanceled)
            {
                _input.AdvanceTo(buffer.Start);
                continue;
            }
            if (buffer.IsEmpty && result.IsCompleted)
            {
                _input.AdvanceTo(buffer.End);
                return Step.Close;
            }
            var headLength = FindHeadEnd(buffer, limit);
            HeadStatus status;
            if (headLength < 0)
            {
                var have = (int)Math.Min(buffer.Length, limit);
                Copy(buffer, have);
                status = _x.Head.Parse(_x.HeadBuffer.AsSpan(0, have), limit);
                if (status == HeadStatus.Ok) status = HeadStatus.HandOff; // cannot happen: no end was found
            }
            else
            {
                Copy(buffer, headLength);
                status = _x.Head.Parse(_x.HeadBuffer.AsSpan(0, headLength), limit);
            }
            if (status == HeadStatus.Incomplete && !result.IsCompleted && buffer.Length < limit)
            {
                partial = true;
                _input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            if (status == HeadStatus.Reject)
            {
                _input.AdvanceTo(buffer.End);
                _x.ResetForRequest();
                _x.WriteReply(LocalReply.Empty(400), close: true);
                CommitResp();
                await FlushClientAsync().ConfigureAwait(false);
                return Step.Close;
            }
            var port = _port.Current;
            // The connection's last request (count or age): its response says Connection: close, then it closes.
            if (status == HeadStatus.Ok && port.Connection is { } connection && connection.CloseAfter(++_served, _opened, Environment.TickCount64))
                _policyClose = true;
            var decision = status == HeadStatus.Ok ? _x.Route(port) : Http1Decision.HandOff;
            // A decision waiting on another service: the head stays unconsumed in the pipe meanwhile, so a hand-off
            // after it still gives Kestrel the whole request.
            while (decision == Http1Decision.Pending)
            {
                var pending = _x.Policy.TakePending();
                if (port.Connection is { RequestReceivedMs: > 0 } received)
                {
                    var left = started + received.RequestReceivedMs - Environment.TickCount64;
                    try
                    {
                        decision = _x.Resume(await pending.AsTask().WaitAsync(TimeSpan.FromMilliseconds(Math.Max(0, left))).ConfigureAwait(false));
                    }
                    catch (TimeoutException)
                    {
                        // Not received in time (the decision still waits): Envoy's 408, the connection closes.
                        _input.AdvanceTo(buffer.GetPosition(headLength));
                        _policyClose = true;
                        _x.SetReply(ClientConnectionPolicy.RequestTimeout);
                        return Step.Reply;
                    }
                    continue;
                }
                decision = _x.Resume(await pending.ConfigureAwait(false));
            }
            if (decision == Http1Decision.HandOff)
            {
                _input.AdvanceTo(buffer.Start, buffer.Start);
                return HandOff(status == HeadStatus.Ok ? _x.HandOffReason! : "not a simple HTTP/1.1 request");
            }
            _input.AdvanceTo(buffer.GetPosition(headLength));
            if (decision == Http1Decision.Reply) return Step.Reply;
            _requestDeadline = port.Connection is { RequestReceivedMs: > 0 } bound ? started + bound.RequestReceivedMs : 0;
            _x.BuildForwardedHead(ClientIp());
            return Step.Relay;
        }
    }

    private Step HandOff(string reason)
    {
        _owner.CountHandOff(reason);
        return Step.HandOff;
    }

    /// <summary>
    /// A backend's response head is not complete in <paramref name="r"/>: throws when none can come (the backend closed,
    /// or the head is over <paramref name="limit"/>), else marks what was read as examined so the next read waits for more.
    /// </summary>
    internal static void NeedMoreHead(PipeReader input, in ReadResult r, int limit)
    {
        var buffer = r.Buffer;
        if (r.IsCompleted)
        {
            if (buffer.IsEmpty) throw new IOException("backend closed the connection before answering");
            throw new BackendProtocolException("incomplete response head");
        }
        if (buffer.Length >= limit) throw new BackendProtocolException("response head too large");
        input.AdvanceTo(buffer.Start, buffer.End);
    }

    /// <summary>Length of the head (through the empty line) if it is complete within the limit, else -1.</summary>
    internal static int FindHeadEnd(ReadOnlySequence<byte> buffer, int limit)
    {
        if (buffer.IsSingleSegment)
        {
            var i = buffer.FirstSpan.IndexOf("\r\n\r\n"u8);
            return i < 0 || i + 4 > limit ? -1 : i + 4;
        }
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8, advancePastDelimiter: true)) return -1;
        return reader.Consumed > limit ? -1 : (int)reader.Consumed;
    }

    private void Copy(ReadOnlySequence<byte> buffer, int length)
    {
        _x.EnsureHeadBuffer(length);
        buffer.Slice(0, length).CopyTo(_x.HeadBuffer);
    }

    /// <summary>The client address as <see cref="ForwardedHeaders"/> writes it; null when unknown.</summary>
    private byte[]? ClientIp()
    {
        _clientIp ??= ForwardedHeaders.ClientAddressBytes((_connection.RemoteEndPoint as IPEndPoint)?.Address);
        return _clientIp.Length == 0 ? null : _clientIp;
    }
}
