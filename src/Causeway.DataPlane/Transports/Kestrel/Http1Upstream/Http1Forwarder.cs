using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Causeway.DataPlane.Transports.Http1;
using Causeway.DataPlane.Transports.Http1.Relay;

namespace Causeway.DataPlane.Transports.Kestrel.Http1Upstream;

/// <summary>
/// The Kestrel transport's upstream for HTTP/2 requests to plain HTTP/1.1 backends: the request goes over the byte
/// transports' pooled backend connections (<see cref="Http1EndpointPool"/>, shared with the event loop and the relay)
/// as the head <see cref="ProxyTransformer.WriteHttp1Head"/> writes, and the response is parsed by the same
/// <see cref="Http1ResponseHead"/> and copied to Kestrel's response, instead of YARP building an HttpRequestMessage for
/// HttpClient. The plan (routing, decisions, target, request and response steps, failure answers) is the Kestrel
/// pipeline's as before: this only replaces the bytes' way to the backend and back. Requests it is not offered
/// (<see cref="Eligible"/>) go through YARP. <c>CAUSEWAY_H2_DIRECT=0</c> turns it off.
/// </summary>
internal sealed class Http1Forwarder(DataPlaneOptions options)
{
    [ThreadStatic] private static ByteBuilder? t_head;
    [ThreadStatic] private static Http1ResponseHead? t_response;

    private long _requests;

    /// <summary>Requests sent this way (tests and the admin counters read it).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>
    /// Whether this request may take the direct way: HTTP/2 from the client, a plain HTTP/1.1 backend (the byte
    /// transports' pools exist for it), a body of known length or none, and none of what only YARP's path does for the
    /// rule (retries, session persistence, the client's protocol upstream, compression, a bandwidth limit, a sampled trace).
    /// </summary>
    public bool Eligible(HttpContext context, CompiledRule rule, BackendRuntime backend, KestrelExchange? exchange)
    {
        if (!options.Http2DirectUpstream || backend.FastEndpoints is null) return false;
        // proxyProtocol: each client connection has its own backend connections (YARP's per-client pools keep them).
        if (backend.Ir.Connection?.ProxyProtocol is not null) return false;
        if (rule.RetryAttempts > 0 || rule.Session is not null || rule.UseClientProtocol || rule.Compression is not null || rule.Bandwidth is not null) return false;
        if (exchange?.ServerSpan is not null) return false;
        var request = context.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol) || HttpMethods.IsConnect(request.Method)) return false;
        return context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: true } || request.ContentLength is not null;
    }

    /// <summary>
    /// Request headers not passed on: the byte transports' list (<see cref="Http1Syntax.Classify"/>: hop-by-hop and
    /// proxy headers as YARP drops them, Host and X-Forwarded-Proto/-Host, which are rewritten) and HTTP2-Settings.
    /// Kestrel's pipeline removed the client's x-forwarded-client-cert already unless the listener keeps it, and Expect
    /// goes on (the byte transports hand such requests to Kestrel instead).
    /// </summary>
    public static bool SkipsRequestHeader(string name)
    {
        if (name.Length > 64 || !System.Text.Ascii.IsValid(name)) return false; // no managed name is that long or not ASCII
        Span<byte> bytes = stackalloc byte[name.Length];
        System.Text.Ascii.FromUtf16(name, bytes, out _);
        return Http1Syntax.Classify(bytes) switch
        {
            HeaderKindOrHandOff.Skip => !Http1Syntax.Is(bytes, "x-forwarded-client-cert"),
            HeaderKindOrHandOff.Host or HeaderKindOrHandOff.Connection => true,
            HeaderKindOrHandOff.HandOff => !Http1Syntax.Is(bytes, "expect"), // upgrade, transfer-encoding
            _ => Http1Syntax.Is(bytes, "http2-settings"),
        };
    }

    /// <summary>
    /// Sends the request to <paramref name="pool"/>'s endpoint and copies the answer to the client. Null when an answer
    /// (the backend's, or the rule's override) went out, or nothing can be answered any more (the client left, or the
    /// backend failed mid-body: the stream is then reset); otherwise the failure to answer with.
    /// </summary>
    public async ValueTask<UpstreamFailure?> SendAsync(HttpContext context, Http1EndpointPool pool, ProxyTransformer transformer, CancellationToken token)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var bodyless = context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false };
        var bodyLength = bodyless ? 0 : request.ContentLength ?? 0;
        var builder = t_head ??= new ByteBuilder();
        transformer.WriteHttp1Head(context, builder, bodyless);
        var headLength = builder.Length;
        var head = ArrayPool<byte>.Shared.Rent(headLength);
        builder.Span.CopyTo(head);
        using var activity = CancellationTokenSource.CreateLinkedTokenSource(token);
        activity.CancelAfter(options.BackendActivityTimeout);
        var connection = pool.TryRent();
        var retried = false;
        try
        {
            while (true)
            {
                if (connection is null)
                {
                    if (!pool.TryOpenConnection()) return UpstreamFailure.Overflow; // circuitBreaker.perEndpoint.maxConnections
                    try
                    {
                        connection = await pool.ConnectAsync(activity.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
                    {
                        return token.IsCancellationRequested ? UpstreamFailure.Timeout : UpstreamFailure.ConnectFailed;
                    }
                }
                connection.Requests++;
                try
                {
                    connection.PipeUsed = true;
                    connection.Output.Write(head.AsSpan(0, headLength));
                    if (bodyLength > 0) await SendBodyAsync(request.BodyReader, connection.Output, bodyLength, activity).ConfigureAwait(false);
                    else await FlushAsync(connection.Output, activity).ConfigureAwait(false);
                    var reusable = await RelayResponseAsync(context, connection.Input, transformer, activity).ConfigureAwait(false);
                    if (reusable) pool.Return(connection);
                    else connection.Close();
                    return null;
                }
                catch (ResponseException ex)
                {
                    connection.Close();
                    if (ex.Started || context.RequestAborted.IsCancellationRequested)
                    {
                        context.Abort(); // part of the answer is out, or the client left: reset the stream
                        return null;
                    }
                    var answered = ex.Answered;
                    var failure = ex.InnerException is OperationCanceledException ? UpstreamFailure.Timeout
                        : ex.InnerException is BackendProtocolException || answered ? UpstreamFailure.BadResponse
                        : UpstreamFailure.ClosedBeforeAnswer;
                    if (UpstreamDecision.RetryOnFreshConnection(failure, connection.Reused, answered, replayable: bodyLength == 0, retried))
                    {
                        retried = true;
                        connection = null;
                        continue;
                    }
                    return failure;
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or ConnectionAbortedException
                    or ConnectionResetException or SocketException or BackendProtocolException or ClientGoneException)
                {
                    // Sending the request failed (the backend closed, or the client's body ended early).
                    connection.Close();
                    // The body was still arriving at the ClientTrafficPolicy's requestReceivedTimeout: the handler answers 408.
                    if (context.Features.Get<KestrelExchange>() is { BodyDeadline.TimedOut: true }) return UpstreamFailure.ClosedBeforeAnswer;
                    if (ex is ClientGoneException || context.RequestAborted.IsCancellationRequested)
                    {
                        context.Abort();
                        return null;
                    }
                    var failure = ex is OperationCanceledException ? UpstreamFailure.Timeout : UpstreamFailure.ClosedBeforeAnswer;
                    if (UpstreamDecision.RetryOnFreshConnection(failure, connection.Reused, false, replayable: bodyLength == 0, retried))
                    {
                        retried = true;
                        connection = null;
                        continue;
                    }
                    return failure;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    private async ValueTask SendBodyAsync(PipeReader body, PipeWriter backend, long length, CancellationTokenSource activity)
    {
        while (length > 0)
        {
            ReadResult r;
            try
            {
                r = await body.ReadAsync(activity.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new ClientGoneException("reading the request body: " + ex.Message);
            }
            var buffer = r.Buffer;
            if (buffer.IsEmpty && r.IsCompleted) throw new ClientGoneException("request body ended early");
            var take = Math.Min(length, buffer.Length);
            var part = buffer.Slice(0, take);
            foreach (var segment in part) backend.Write(segment.Span);
            body.AdvanceTo(part.End);
            length -= take;
            await FlushAsync(backend, activity).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushAsync(PipeWriter backend, CancellationTokenSource activity)
    {
        activity.CancelAfter(options.BackendActivityTimeout);
        var f = await backend.FlushAsync(activity.Token).ConfigureAwait(false);
        if (f.IsCompleted) throw new IOException("backend connection closed");
    }

    /// <summary>Reading or relaying the response failed; says whether the backend had sent anything and whether the client got part of it.</summary>
    private sealed class ResponseException(Exception inner, bool answered, bool started) : Exception(inner.Message, inner)
    {
        public bool Answered { get; } = answered;
        public bool Started { get; } = started;
    }

    /// <summary>Reads the response head (skipping interim 1xx), puts it on the response, runs the target's response side, copies the body.</summary>
    private async ValueTask<bool> RelayResponseAsync(HttpContext context, PipeReader input, ProxyTransformer transformer,
        CancellationTokenSource activity)
    {
        var answered = false;
        var started = false;
        try
        {
            const int limit = UpstreamDecision.MaxResponseHead;
            ReadResult r;
            int headLength;
            BodyFraming framing;
            long contentLength;
            bool keepAlive;
            int status;
            while (true)
            {
                activity.CancelAfter(options.BackendActivityTimeout);
                r = await input.ReadAsync(activity.Token).ConfigureAwait(false);
                var buffer = r.Buffer;
                if (!buffer.IsEmpty) answered = true;
                headLength = Http1Connection.FindHeadEnd(buffer, limit);
                if (headLength > 0)
                {
                    if (!TakeHead(context, buffer, headLength, out status, out framing, out contentLength, out keepAlive))
                    {
                        input.AdvanceTo(buffer.GetPosition(headLength)); // interim answer: dropped, as HttpClient does
                        continue;
                    }
                    break;
                }
                Http1Connection.NeedMoreHead(input, r, limit);
            }
            var rest = r.Buffer.Slice(headLength);
            if (!await transformer.RespondAsync(context, status, true).ConfigureAwait(false))
            {
                input.AdvanceTo(rest.Start);
                return false; // the override answered: the backend's body is not wanted
            }
            var writer = context.Response.BodyWriter;
            started = true;
            switch (framing)
            {
                case BodyFraming.None:
                    input.AdvanceTo(rest.Start);
                    break;
                case BodyFraming.Length:
                    while (true)
                    {
                        var take = Math.Min(contentLength, rest.Length);
                        foreach (var segment in rest.Slice(0, take)) writer.Write(segment.Span);
                        input.AdvanceTo(rest.GetPosition(take));
                        contentLength -= take;
                        if (contentLength == 0) break;
                        await ToClientAsync(writer).ConfigureAwait(false);
                        rest = await ReadAsync(input, activity).ConfigureAwait(false);
                    }
                    break;
                case BodyFraming.Chunked:
                    await RelayChunkedAsync(context, input, rest, writer, activity).ConfigureAwait(false);
                    break;
                default:
                    var completed = r.IsCompleted;
                    while (true)
                    {
                        foreach (var segment in rest) writer.Write(segment.Span);
                        input.AdvanceTo(rest.End);
                        if (completed) return false;
                        await ToClientAsync(writer).ConfigureAwait(false);
                        activity.CancelAfter(options.BackendActivityTimeout);
                        var more = await input.ReadAsync(activity.Token).ConfigureAwait(false);
                        rest = more.Buffer;
                        completed = more.IsCompleted;
                    }
            }
            if (!keepAlive) return false;
            if (input.TryRead(out var extra))
            {
                input.AdvanceTo(extra.Buffer.Start);
                return false; // more than the framing announced, or closed: not reusable
            }
            return true;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ConnectionAbortedException
            or ConnectionResetException or SocketException or BackendProtocolException)
        {
            throw new ResponseException(ex, answered, started);
        }
    }

    /// <summary>
    /// Parses a complete head (copied out of the pipe) and, for a final answer, puts its status and headers on the
    /// response; false for an interim (1xx) answer.
    /// </summary>
    private static bool TakeHead(HttpContext context, ReadOnlySequence<byte> buffer, int length, out int status, out BodyFraming framing,
        out long contentLength, out bool keepAlive)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.Slice(0, length).CopyTo(bytes);
            var head = t_response ??= new Http1ResponseHead();
            head.Parse(bytes.AsSpan(0, length), HttpMethods.IsHead(context.Request.Method));
            status = head.Status;
            framing = head.Framing;
            contentLength = head.ContentLength;
            keepAlive = head.KeepAlive;
            if (status < 200)
            {
                if (status == 101) throw new BackendProtocolException("unexpected 101 Switching Protocols");
                return false;
            }
            var response = context.Response;
            response.StatusCode = status;
            var headers = response.Headers;
            for (var i = 0; i < head.HeaderCount; i++)
            {
                ref readonly var h = ref head.Headers[i];
                if (h.Kind == HeaderKind.Skip) continue;
                var value = bytes.AsSpan(h.ValueStart, h.ValueLength);
                if (h.Kind == HeaderKind.ContentLength)
                {
                    response.ContentLength = contentLength;
                    continue;
                }
                headers.Append(ResponseHeaderNames.Get(bytes.AsSpan(h.NameStart, h.NameLength)), Encoding.Latin1.GetString(value));
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private async ValueTask RelayChunkedAsync(HttpContext context, PipeReader input, ReadOnlySequence<byte> rest, PipeWriter writer, CancellationTokenSource activity)
    {
        var chunks = default(ChunkedScanner);
        chunks.Reset();
        ByteBuilder? trailers = null;
        while (true)
        {
            long consumed = 0;
            foreach (var segment in rest)
            {
                var span = segment.Span;
                while (!span.IsEmpty && !chunks.IsDone)
                {
                    var n = chunks.ScanData(span, trailers ??= new ByteBuilder(), out var data);
                    if (data > 0) writer.Write(span.Slice(n - data, data));
                    span = span[n..];
                    consumed += n;
                }
                if (chunks.IsDone) break;
            }
            input.AdvanceTo(rest.GetPosition(consumed));
            if (chunks.IsDone) break;
            await ToClientAsync(writer).ConfigureAwait(false);
            rest = await ReadAsync(input, activity).ConfigureAwait(false);
        }
        if (trailers is { Length: > 0 } && context.Response.SupportsTrailers()) AppendTrailers(context.Response, trailers.Span);
    }

    /// <summary>The chunked body's trailer fields ("name: value" lines) as the response's HTTP/2 trailers.</summary>
    private static void AppendTrailers(HttpResponse response, ReadOnlySpan<byte> lines)
    {
        var fields = new FieldLines(lines);
        while (fields.Next(out var name, out var value))
        {
            if (Http1Syntax.IsSkippedResponseHeader(name)) continue;
            response.AppendTrailer(Encoding.ASCII.GetString(name).ToLowerInvariant(), Encoding.Latin1.GetString(value));
        }
    }

    private async ValueTask<ReadOnlySequence<byte>> ReadAsync(PipeReader input, CancellationTokenSource activity)
    {
        activity.CancelAfter(options.BackendActivityTimeout);
        var r = await input.ReadAsync(activity.Token).ConfigureAwait(false);
        if (r.Buffer.IsEmpty && r.IsCompleted) throw new IOException("backend closed the connection mid-body");
        return r.Buffer;
    }

    /// <summary>Flushes what was written to the client; a client that left ends the exchange.</summary>
    private static async ValueTask ToClientAsync(PipeWriter writer)
    {
        var f = await writer.FlushAsync().ConfigureAwait(false);
        if (f.IsCanceled || f.IsCompleted) throw new ConnectionAbortedException("the client left");
    }
}

/// <summary>Response header names as strings: the common ones interned, others allocated.</summary>
internal static class ResponseHeaderNames
{
    private static readonly string[] Common =
    [
        "Content-Type", "Date", "Server", "Cache-Control", "ETag", "Last-Modified", "Expires", "Vary", "Set-Cookie",
        "Location", "Content-Encoding", "Content-Language", "Accept-Ranges", "Age", "Pragma", "Access-Control-Allow-Origin",
        "X-Content-Type-Options", "Strict-Transport-Security", "Content-Disposition", "Link", "WWW-Authenticate", "Retry-After",
    ];

    public static string Get(ReadOnlySpan<byte> name)
    {
        foreach (var common in Common)
        {
            if (common.Length == name.Length && System.Text.Ascii.EqualsIgnoreCase(name, common)) return common;
        }
        return Encoding.ASCII.GetString(name);
    }
}
