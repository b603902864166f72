namespace Causeway.DataPlane.Tests.Differential;

/// <summary>What the raw backend does with one request: optionally wait, write these bytes, optionally close.</summary>
public sealed record BackendReply(string Bytes, bool Close = false, TimeSpan Delay = default)
{
    /// <summary>200 with a Content-Length body and <paramref name="extra"/> header lines (each ending in CRLF).</summary>
    public static BackendReply Ok(string body = "hello", string extra = "") =>
        new($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n{extra}\r\n{body}");
}
