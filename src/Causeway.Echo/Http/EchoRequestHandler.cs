using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Causeway.Echo.Http;

/// <summary>The routes of echo-basic's HTTP mode (ECHO.md section 3).</summary>
internal sealed partial class EchoRequestHandler(EchoOptions options, Action<string> log, Func<string> httpPort)
{
    private const int WebSocketBufferSize = 16 * 1024;

    private readonly RetryTracker _retries = new();

    [GeneratedRegex(@"^/status/(\d\d\d)$", RegexOptions.CultureInvariant)]
    private static partial Regex StatusPattern();

    public Task HandleAsync(HttpContext context)
    {
        var path = CollapseSlashes(context.Request.Path.Value ?? "/");
        if (path == "/health")
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("OK", context.RequestAborted);
        }

        if (path.StartsWith("/status/", StringComparison.Ordinal))
        {
            return StatusAsync(context);
        }

        if (path.StartsWith("/retry/", StringComparison.Ordinal))
        {
            return RetryAsync(context);
        }

        if (path == "/ws")
        {
            return WebSocketAsync(context);
        }

        return EchoAsync(context);
    }

    private static string CollapseSlashes(string path)
    {
        if (!path.Contains("//", StringComparison.Ordinal))
        {
            return path;
        }

        var sb = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c != '/' || sb.Length == 0 || sb[^1] != '/')
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static Task StatusAsync(HttpContext context)
    {
        var match = StatusPattern().Match(EchoJson.RawTarget(context));
        var code = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 400;
        context.Response.StatusCode = code is >= 100 and <= 999 ? code : 400;
        return Task.CompletedTask;
    }

    private async Task RetryAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var uuid = query["uuid"].ToString();
        if (uuid.Length == 0
            || !int.TryParse(query["succeedAfter"].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var succeedAfter))
        {
            await WriteMessageAsync(context, 400, "uuid and succeedAfter query parameters are required").ConfigureAwait(false);
            return;
        }

        var delayText = query["delayRetry"].ToString();
        var delay = TimeSpan.Zero;
        if (delayText.Length > 0 && !GoDuration.TryParse(delayText, out delay))
        {
            await WriteMessageAsync(context, 400, $"invalid delayRetry duration: {delayText}").ConfigureAwait(false);
            return;
        }

        var codeText = query["responseCode"].ToString();
        var responseCode = 0;
        if (codeText.Length > 0
            && (!int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out responseCode) || responseCode is < 100 or > 999))
        {
            await WriteMessageAsync(context, 400, $"invalid responseCode: {codeText}").ConfigureAwait(false);
            return;
        }

        var attempt = _retries.RecordAttempt(uuid);
        if (attempt > succeedAfter)
        {
            await EchoAsync(context).ConfigureAwait(false);
            return;
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
        }

        if (responseCode != 0)
        {
            context.Response.StatusCode = responseCode;
            return;
        }

        ResetConnection(context);
    }

    /// <summary>Aborts the TCP connection with an RST (SO_LINGER 0) instead of a FIN.</summary>
    private static void ResetConnection(HttpContext context)
    {
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is not null)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close(0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // already gone: nothing left to reset
            }
        }

        context.Abort();
    }

    private async Task EchoAsync(HttpContext context)
    {
        var raw = EchoJson.RawTarget(context);
        log($"Echoing back request made to {raw} to client ({RemoteAddress(context)})");

        var delayText = context.Request.Query["delay"].ToString();
        if (delayText.Length > 0)
        {
            if (!GoDuration.TryParse(delayText, out var delay))
            {
                await WriteMessageAsync(context, 500, $"time: invalid duration \"{delayText}\"").ConfigureAwait(false);
                return;
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
            }
        }

        var body = EchoJson.Build(context, options, httpPort());
        var response = context.Response;
        SetEchoHeaders(context);
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>X-Echo-Set-Header: Name1:val1,Name2:val2</c>; repeated names are joined with a comma.</summary>
    private static void SetEchoHeaders(HttpContext context)
    {
        foreach (var list in context.Request.Headers["X-Echo-Set-Header"])
        {
            if (string.IsNullOrEmpty(list))
            {
                continue;
            }

            foreach (var pair in list.Split(','))
            {
                var trimmed = pair.Trim();
                var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
                var name = colon < 0 ? trimmed : trimmed[..colon];
                var value = colon < 0 ? "" : trimmed[(colon + 1)..].Trim();
                if (name.Length == 0)
                {
                    continue;
                }

                var headers = context.Response.Headers;
                headers[name] = headers.TryGetValue(name, out var existing) && existing.Count > 0
                    ? existing.ToString() + "," + value
                    : value;
            }
        }
    }

    private static string RemoteAddress(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress;
        if (ip is null)
        {
            return "";
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        return new IPEndPoint(ip, context.Connection.RemotePort).ToString();
    }

    private static async Task WriteMessageAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["message"] = message });
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Echoes every websocket frame back (same payload, type and fragmentation) until the peer closes.</summary>
    private static async Task WebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var buffer = new byte[WebSocketBufferSize];
        var ct = context.RequestAborted;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure, result.CloseStatusDescription, ct).ConfigureAwait(false);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // peer went away: nothing to echo any more
        }
    }
}
