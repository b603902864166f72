using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Causeway.Echo.Http;

/// <summary>
/// Connection middleware in front of the HTTP/2-only Kestrel listener on <c>H2C_PORT</c>. Kestrel speaks h2c only with
/// prior knowledge, so this gate implements the rest of Go's <c>h2c.NewHandler</c> behaviour itself:
/// <list type="bullet">
/// <item>HTTP/2 connection preface: passed through untouched (prior knowledge).</item>
/// <item>HTTP/1.1 request with <c>Upgrade: h2c</c> and <c>Connection: HTTP2-Settings</c> (Go's test): answers
/// <c>101 Switching Protocols</c> and replays the request to Kestrel as HTTP/2 stream 1 (RFC 7540 section 3.2).</item>
/// <item>Any other HTTP/1.1 request: <c>400 Expected h2c request</c>, then the connection is closed.</item>
/// </list>
/// Upgrade requests with a chunked body are answered with 400 (only Content-Length bodies are replayed).
/// </summary>
internal static class H2cConnectionGate
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxBodyBytes = 1024 * 1024;
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "upgrade", "http2-settings", "keep-alive", "proxy-connection", "transfer-encoding", "host", "te",
    };

    public static ConnectionDelegate Wrap(ConnectionDelegate next) => context => HandleAsync(context, next);

    private static async Task HandleAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var transport = context.Transport;
        Http1Head? head;
        byte[] body = [];
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed))
        {
            cts.CancelAfter(HeadTimeout);
            try
            {
                var (priorKnowledge, parsed) = await ClassifyAsync(transport.Input, cts.Token).ConfigureAwait(false);
                if (priorKnowledge)
                {
                    await next(context).ConfigureAwait(false);
                    return;
                }

                head = parsed;
                if (head is not null && head.IsH2cUpgrade && head.ContentLength is { } length and <= MaxBodyBytes)
                {
                    body = await ReadExactlyAsync(transport.Input, (int)length, cts.Token).ConfigureAwait(false);
                }
                else
                {
                    head = null;
                }

                if (head is null)
                {
                    await transport.Output.WriteAsync(BadRequest, cts.Token).ConfigureAwait(false);
                    return;
                }

                await transport.Output.WriteAsync(SwitchingProtocols, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidDataException)
            {
                context.Abort();
                return;
            }
        }

        var stream1 = Http2Frames.UpgradedRequest(head.ToHttp2Headers(), body);
        var replay = new Pipe();
        var pump = PumpAsync(transport.Input, replay.Writer, stream1, context.ConnectionClosed);
        context.Transport = new DuplexPipe(replay.Reader, transport.Output);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            transport.Input.CancelPendingRead();
            await pump.ConfigureAwait(false);
        }
    }

    private static byte[] BadRequest { get; } = Encoding.ASCII.GetBytes(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n" +
        "Content-Length: 21\r\nConnection: close\r\n\r\nExpected h2c request\n");

    private static byte[] SwitchingProtocols { get; } =
        Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");

    /// <summary>Returns (true, null) for an HTTP/2 preface (nothing consumed), otherwise the consumed HTTP/1.1 head (null if malformed).</summary>
    private static async Task<(bool PriorKnowledge, Http1Head? Head)> ClassifyAsync(PipeReader input, CancellationToken ct)
    {
        var preface = Http2Frames.ClientPreface.ToArray();
        while (true)
        {
            var result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var n = (int)Math.Min(buffer.Length, preface.Length);
            var start = new byte[n];
            buffer.Slice(0, n).CopyTo(start);
            if (start.AsSpan().SequenceEqual(preface.AsSpan(0, n)))
            {
                if (n == preface.Length)
                {
                    input.AdvanceTo(buffer.Start);
                    return (true, null);
                }
            }
            else
            {
                var reader = new SequenceReader<byte>(buffer);
                if (reader.TryReadTo(out ReadOnlySequence<byte> headBytes, "\r\n\r\n"u8))
                {
                    var text = Encoding.Latin1.GetString(headBytes);
                    input.AdvanceTo(reader.Position);
                    return (false, Http1Head.Parse(text));
                }

                if (buffer.Length > MaxHeadBytes)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return (false, null);
                }
            }

            if (result.IsCompleted)
            {
                throw new IOException("connection closed before a request arrived");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader input, int length, CancellationToken ct)
    {
        if (length == 0)
        {
            return [];
        }

        var result = await input.ReadAtLeastAsync(length, ct).ConfigureAwait(false);
        if (result.Buffer.Length < length)
        {
            throw new IOException("connection closed inside the request body");
        }

        var bytes = result.Buffer.Slice(0, length).ToArray();
        input.AdvanceTo(result.Buffer.GetPosition(length));
        return bytes;
    }

    /// <summary>
    /// Feeds Kestrel: the client's preface and first (SETTINGS) frame, then the synthetic stream 1, then the rest of
    /// the connection. Stream 1 must come after the client SETTINGS frame, which HTTP/2 requires first.
    /// </summary>
    private static async Task PumpAsync(PipeReader source, PipeWriter target, byte[] stream1, CancellationToken ct)
    {
        Exception? error = null;
        try
        {
            var prefaceLength = Http2Frames.ClientPreface.Length;
            var headerEnd = prefaceLength + Http2Frames.FrameHeaderLength;
            var first = await source.ReadAtLeastAsync(headerEnd, ct).ConfigureAwait(false);
            if (first.Buffer.Length < headerEnd)
            {
                throw new IOException("connection closed before the HTTP/2 preface");
            }

            var frameHeader = first.Buffer.Slice(prefaceLength, Http2Frames.FrameHeaderLength).ToArray();
            var firstLength = headerEnd + Http2Frames.PayloadLength(frameHeader);
            if (first.Buffer.Length < firstLength)
            {
                source.AdvanceTo(first.Buffer.Start, first.Buffer.End);
                first = await source.ReadAtLeastAsync(firstLength, ct).ConfigureAwait(false);
                if (first.Buffer.Length < firstLength)
                {
                    throw new IOException("connection closed inside the first HTTP/2 frame");
                }
            }

            foreach (var segment in first.Buffer.Slice(0, firstLength))
            {
                target.Write(segment.Span);
            }

            source.AdvanceTo(first.Buffer.GetPosition(firstLength));
            target.Write(stream1);
            if ((await target.FlushAsync(ct).ConfigureAwait(false)).IsCompleted)
            {
                return;
            }

            while (true)
            {
                var result = await source.ReadAsync(ct).ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    return;
                }

                foreach (var segment in result.Buffer)
                {
                    target.Write(segment.Span);
                }

                source.AdvanceTo(result.Buffer.End);
                var flush = await target.FlushAsync(ct).ConfigureAwait(false);
                if (result.IsCompleted || flush.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            error = ex;
        }
        finally
        {
            await target.CompleteAsync(error).ConfigureAwait(false);
            await source.CompleteAsync().ConfigureAwait(false);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Request line and header fields of an HTTP/1.1 request.</summary>
    private sealed class Http1Head
    {
        private Http1Head(string method, string target, List<KeyValuePair<string, string>> fields)
        {
            Method = method;
            Target = target;
            Fields = fields;
        }

        public string Method { get; }

        public string Target { get; }

        public List<KeyValuePair<string, string>> Fields { get; }

        public bool IsH2cUpgrade =>
            GoHeaders.ContainsToken(Values("Upgrade"), "h2c") && GoHeaders.ContainsToken(Values("Connection"), "HTTP2-Settings")
            && !Values("Transfer-Encoding").Any();

        public long? ContentLength
        {
            get
            {
                var values = Values("Content-Length").ToList();
                if (values.Count == 0)
                {
                    return 0;
                }

                return values.Count == 1 && long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
            }
        }

        public static Http1Head? Parse(string text)
        {
            var lines = text.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                return null;
            }

            var fields = new List<KeyValuePair<string, string>>();
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    return null;
                }

                fields.Add(new(line[..colon], line[(colon + 1)..].Trim()));
            }

            return new Http1Head(requestLine[0], requestLine[1], fields);
        }

        public IEnumerable<string> Values(string name) =>
            Fields.Where(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value);

        public List<KeyValuePair<string, string>> ToHttp2Headers()
        {
            var headers = new List<KeyValuePair<string, string>>
            {
                new(":method", Method),
                new(":scheme", "http"),
            };
            var host = Values("Host").FirstOrDefault();
            if (host is not null)
            {
                headers.Add(new(":authority", host));
            }

            headers.Add(new(":path", Target));
            foreach (var (name, value) in Fields)
            {
                if (!HopByHop.Contains(name))
                {
                    headers.Add(new(name.ToLowerInvariant(), value));
                }
            }

            return headers;
        }
    }
}
