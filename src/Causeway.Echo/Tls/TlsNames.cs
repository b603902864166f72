using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Causeway.Echo.Tls;

/// <summary>Go-compatible spellings of TLS connection state (echo-basic's <c>tlsStateToAssertions</c>).</summary>
internal static class TlsNames
{
    public static string Version(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
#pragma warning disable CS0618, SYSLIB0039 // only used to name what was negotiated
        SslProtocols.Tls11 => "TLSv1.1",
        SslProtocols.Tls => "TLSv1.0",
#pragma warning restore CS0618, SYSLIB0039
        _ => "",
    };

    /// <summary>IANA cipher suite name, as Go's <c>tls.CipherSuiteName</c> prints it.</summary>
    public static string CipherSuite(TlsCipherSuite suite) => suite == 0 ? "" : suite.ToString();

    public static string Alpn(ReadOnlySpan<byte> protocol) => Encoding.ASCII.GetString(protocol);

    /// <summary>PEM block exactly as Go's <c>pem.Encode</c> writes it (64 column base64, trailing newline).</summary>
    public static string Pem(X509Certificate certificate) =>
        new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", certificate.GetRawCertData())) + "\n";
}
