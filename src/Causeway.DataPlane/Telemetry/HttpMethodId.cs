using System.Text;

namespace Causeway.DataPlane.Telemetry;

/// <summary>The request method as a metric label: the standard methods by name, anything else as OTHER (bounded cardinality).</summary>
internal enum HttpMethodId
{
    Other = 0,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Connect,
    Options,
    Trace,
    Patch,
}

internal static class MethodLabels
{
    private static readonly string[] Names = ["OTHER", "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

    public static string Name(HttpMethodId id) => Names[(int)id];

    public static HttpMethodId Parse(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => HttpMethodId.Get,
        3 when method.SequenceEqual("PUT"u8) => HttpMethodId.Put,
        4 when method.SequenceEqual("POST"u8) => HttpMethodId.Post,
        4 when method.SequenceEqual("HEAD"u8) => HttpMethodId.Head,
        5 when method.SequenceEqual("PATCH"u8) => HttpMethodId.Patch,
        5 when method.SequenceEqual("TRACE"u8) => HttpMethodId.Trace,
        6 when method.SequenceEqual("DELETE"u8) => HttpMethodId.Delete,
        7 when method.SequenceEqual("OPTIONS"u8) => HttpMethodId.Options,
        7 when method.SequenceEqual("CONNECT"u8) => HttpMethodId.Connect,
        _ => HttpMethodId.Other,
    };

    public static HttpMethodId Parse(string method)
    {
        Span<byte> bytes = stackalloc byte[8];
        return method.Length > 8 || Encoding.ASCII.GetBytes(method, bytes) != method.Length ? HttpMethodId.Other : Parse(bytes[..method.Length]);
    }

    /// <summary>Method and status packed into one counter key (never 0).</summary>
    public static int Key(HttpMethodId method, int status) => ((int)method + 1) * 1000 + Math.Clamp(status, 0, 999);

    public static (HttpMethodId Method, int Status) Unpack(int key) => ((HttpMethodId)(key / 1000 - 1), key % 1000);
}
