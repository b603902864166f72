using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using System.Text.Json;
using Causeway.Echo.Tls;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Causeway.Echo.Http;

/// <summary>Builds the echo JSON body exactly as echo-basic's <c>json.MarshalIndent(..., "", " ")</c> does.</summary>
internal static class EchoJson
{
    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        IndentCharacter = ' ',
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Build(HttpContext context, EchoOptions options, string httpPort)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, Indented))
        {
            w.WriteStartObject();
            w.WriteString("path", RawTarget(context));
            w.WriteString("host", context.Request.Headers.Host.ToString());
            w.WriteString("method", context.Request.Method);
            w.WriteString("proto", GoProto(context.Request.Protocol));
            w.WritePropertyName("headers");
            WriteHeaders(w, context.Request.Headers);
            w.WriteString("httpPort", httpPort);
            w.WriteString("namespace", options.Namespace);
            w.WriteString("ingress", options.IngressName);
            w.WriteString("service", options.ServiceName);
            w.WriteString("pod", options.PodName);
            if (context.Request.IsHttps)
            {
                w.WritePropertyName("tls");
                WriteTls(w, context);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string RawTarget(HttpContext context) =>
        context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (context.Request.Path + context.Request.QueryString);

    public static string GoProto(string protocol) => protocol switch
    {
        "HTTP/2" => "HTTP/2.0",
        "HTTP/3" => "HTTP/3.0",
        _ => protocol,
    };

    private static void WriteHeaders(Utf8JsonWriter w, IHeaderDictionary headers)
    {
        var map = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in headers)
        {
            if (name.StartsWith(':') || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue; // Go moves Host to r.Host and Transfer-Encoding to r.TransferEncoding
            }

            var key = GoHeaders.Canonical(name);
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }

            foreach (var v in values)
            {
                list.Add(v ?? "");
            }
        }

        w.WriteStartObject();
        foreach (var (name, values) in map)
        {
            w.WriteStartArray(name);
            foreach (var v in values)
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteTls(Utf8JsonWriter w, HttpContext context)
    {
        var handshake = context.Features.Get<ITlsHandshakeFeature>();
        var alpn = context.Features.Get<ITlsApplicationProtocolFeature>();
        w.WriteStartObject();
        w.WriteString("version", handshake is null ? "" : TlsNames.Version(handshake.Protocol));
        w.WriteString("serverName", handshake?.HostName ?? "");
        w.WriteString("negotiatedProtocol", alpn is null ? "" : TlsNames.Alpn(alpn.ApplicationProtocol.Span));
        w.WriteString("cipherSuite", handshake?.NegotiatedCipherSuite is { } suite ? TlsNames.CipherSuite(suite) : "");
        w.WriteStartArray("peerCertificates");
        if (context.Connection.ClientCertificate is X509Certificate2 cert)
        {
            w.WriteStringValue(TlsNames.Pem(cert));
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
