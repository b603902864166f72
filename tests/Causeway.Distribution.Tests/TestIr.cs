using Causeway.Distribution.Security;
using Causeway.Translation.Ir;

namespace Causeway.Distribution.Tests;

/// <summary>IR samples with real certificates and keys, covering most IR member kinds.</summary>
internal static class TestIr
{
    public static GatewayIr Build(CertificateAuthority ca, string gatewayKey, string body = "v1")
    {
        var listenerCert = ca.IssueServerCertificate(["www.example.com"]);
        var clientCert = ca.IssueServerCertificate(["client.example.com"]);
        return new GatewayIr
        {
            Name = gatewayKey,
            Addresses = new[] { "127.0.0.1" },
            Ports = new[]
            {
                new PortIr
                {
                    Port = 8443,
                    Protocol = PortProtocol.Https,
                    Listeners = new[]
                    {
                        new ListenerIr
                        {
                            Name = gatewayKey + "/https",
                            Hostname = "www.example.com",
                            Certificates = new[]
                            {
                                new TlsCertificateIr
                                {
                                    Source = "default/www-cert",
                                    CertificatePem = listenerCert.CertificatePem,
                                    PrivateKeyPem = listenerCert.PrivateKeyPem,
                                    DnsNames = new[] { "www.example.com" },
                                },
                            },
                            ClientValidation = new ClientValidationIr { CaBundlePem = ca.CertificatePem, Mode = ClientValidationMode.AllowInsecureFallback },
                            Http = new HttpRouteTableIr
                            {
                                VirtualHosts = new[]
                                {
                                    new VirtualHostIr
                                    {
                                        Hostname = "www.example.com",
                                        Matches = new[]
                                        {
                                            new HttpMatchIr
                                            {
                                                PathKind = PathMatchKind.Exact,
                                                PathValue = "/" + body,
                                                Headers = new[] { new ValueMatchIr("x-env", StringMatchKind.Regex, "^prod$") },
                                                Rule = new HttpRuleIr
                                                {
                                                    Name = "httproute/default/web/rule/0",
                                                    RequestTimeout = TimeSpan.FromSeconds(3),
                                                    Filters = new[]
                                                    {
                                                        new HttpFilterIr
                                                        {
                                                            RequestHeaders = new HeaderModifierIr
                                                            {
                                                                Set = new[] { new KeyValuePair<string, string>("x-version", body) },
                                                                Remove = new[] { "x-drop" },
                                                            },
                                                        },
                                                    },
                                                    Backends = new[] { new WeightedBackendIr { BackendId = "default/web:80", Weight = 1 } },
                                                    Retry = new RetryIr { Codes = new[] { 502, 503 }, Attempts = 2, Backoff = TimeSpan.FromMilliseconds(50) },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
                new PortIr
                {
                    Port = 5353,
                    Protocol = PortProtocol.Udp,
                    Listeners = new[]
                    {
                        new ListenerIr
                        {
                            Name = gatewayKey + "/dns",
                            L4Routes = new[]
                            {
                                new L4RouteIr { Name = "udproute/default/dns", Backends = new[] { new WeightedBackendIr { BackendId = "default/dns:53/udp", Weight = 1 } } },
                            },
                        },
                    },
                },
            },
            Backends = new[]
            {
                new BackendIr { Id = "default/web:80", Endpoints = new[] { new EndpointIr("10.0.0.1", 8080) }, Tls = new BackendTlsIr { Hostname = "web" } },
                new BackendIr { Id = "default/dns:53/udp", Protocol = BackendProtocol.Datagram, Endpoints = new[] { new EndpointIr("10.0.0.2", 53) } },
            },
            BackendClientCertificate = new TlsCertificateIr
            {
                Source = "default/client-cert",
                CertificatePem = clientCert.CertificatePem,
                PrivateKeyPem = clientCert.PrivateKeyPem,
            },
        };
    }
}
