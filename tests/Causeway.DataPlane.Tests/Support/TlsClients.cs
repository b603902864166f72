
namespace Causeway.DataPlane.Tests.Support;

/// <summary>
/// Real TLS clients for the listener tests: <c>openssl s_client</c> and <c>curl</c>, with an optional client
/// certificate written to a temporary directory. Every run is bounded (the process is killed after its time).
/// </summary>
public static class TlsClients
{
    public const string OpenSsl = "/usr/bin/openssl";
    public const string Curl = "/usr/bin/curl";

    /// <summary>Writes a certificate and its key as PEM files; returns their paths.</summary>
    public static (string Cert, string Key) WriteFiles(TestCert cert, string directory)
    {
        var certPath = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".crt");
        var keyPath = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".key");
        File.WriteAllText(certPath, cert.CertificatePem);
        File.WriteAllText(keyPath, cert.KeyPem);
        return (certPath, keyPath);
    }

    /// <summary>
    /// <c>GET path</c> with <c>curl</c> to <paramref name="host"/> (resolved to 127.0.0.1:<paramref name="port"/>),
    /// presenting <paramref name="client"/> when given. Returns curl's exit code and the body followed by a line with
    /// the status code ("000" when no answer came).
    /// </summary>
    public static async Task<(int Exit, string Body, string Status, string Errors)> CurlAsync(int port, string host, TestCert? client, bool http2 = false,
        params (string Name, string Value)[] headers)
    {
        Assert.True(File.Exists(Curl), "curl is installed at /usr/bin/curl on the CI image");
        var dir = Directory.CreateTempSubdirectory("causeway-curl").FullName;
        try
        {
            var args = new List<string> { "-sS", "-k", "--max-time", "15", http2 ? "--http2" : "--http1.1",
                "--resolve", $"{host}:{port}:127.0.0.1", "-o", "-", "-w", "\n%{http_code}" };
            if (client is not null)
            {
                var (cert, key) = WriteFiles(client, dir);
                args.AddRange(["--cert", cert, "--key", key]);
            }
            foreach (var (n, v) in headers) args.AddRange(["-H", $"{n}: {v}"]);
            args.Add($"https://{host}:{port}/");
            var (exit, output, errors) = await RunAsync(Curl, args, stdin: null);
            var newline = output.LastIndexOf('\n');
            return newline < 0 ? (exit, output, "000", errors) : (exit, output[..newline], output[(newline + 1)..].Trim(), errors);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// One HTTP/1.1 request through <c>openssl s_client</c> (SNI <paramref name="host"/>), presenting
    /// <paramref name="client"/> when given; returns everything s_client printed (the answer, or the handshake's failure).
    /// </summary>
    public static Task<string> SClientGetAsync(int port, string host, TestCert? client, params string[] extra) =>
        SClientAsync(port, host, client, $"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n", extra);

    /// <summary><paramref name="request"/> (raw bytes, one request or several) through <c>openssl s_client</c>, as <see cref="SClientGetAsync"/>.</summary>
    public static async Task<string> SClientAsync(int port, string host, TestCert? client, string request, params string[] extra)
    {
        Assert.True(File.Exists(OpenSsl), "openssl is installed at /usr/bin/openssl on the CI image");
        var dir = Directory.CreateTempSubdirectory("causeway-sclient").FullName;
        try
        {
            var args = new List<string> { "s_client", "-connect", $"127.0.0.1:{port}", "-servername", host, "-ign_eof", "-alpn", "http/1.1" };
            if (client is not null)
            {
                var (cert, key) = WriteFiles(client, dir);
                args.AddRange(["-cert", cert, "-key", key]);
            }
            args.AddRange(extra);
            var (_, output, errors) = await RunAsync(OpenSsl, args, request);
            return output + errors;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, List<string> args, string? stdin) =>
        ToolProcess.RunAsync(file, args, timeoutSeconds: 25, stdin: stdin);
}
