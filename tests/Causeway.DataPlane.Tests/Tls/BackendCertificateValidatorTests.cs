using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Causeway.DataPlane.Tls;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tests.Tls;

/// <summary>
/// The backend certificate validator shared by HTTP (<see cref="BackendCertificateRules.Strict"/>) and L4
/// (<see cref="BackendCertificateRules.Permissive"/>) TLS origination, called the way SslStream calls it.
/// </summary>
public sealed class BackendCertificateValidatorTests : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private readonly List<X509Certificate2> _owned = [];
    private readonly (X509Certificate2 Cert, ECDsa Key) _root;
    private readonly string _rootPem;

    public BackendCertificateValidatorTests()
    {
        _root = Ca("root", null);
        _rootPem = _root.Cert.ExportCertificatePem();
    }

    public void Dispose()
    {
        foreach (var c in _owned) c.Dispose();
        _root.Key.Dispose();
    }

    private static bool Validate(BackendTlsIr tls, BackendCertificateRules rules, X509Certificate2? cert,
        X509Chain? presented = null, SslPolicyErrors errors = SslPolicyErrors.RemoteCertificateChainErrors) =>
        new BackendCertificateValidator(tls, rules).Validate(new object(), cert, presented, errors);

    private static BackendCertificateRules Rules(bool strict) =>
        strict ? BackendCertificateRules.Strict : BackendCertificateRules.Permissive;

    private static BackendTlsIr Policy(string hostname, string? ca, params string[] sans) =>
        new() { Hostname = hostname, CaBundlePem = ca, SubjectAltNames = sans };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Chain_must_reach_the_policy_ca(bool strictRules)
    {
        var rules = Rules(strictRules);
        var leaf = Leaf(_root, ["b.example.com"], [], ServerAuth);
        var other = Ca("other", null);
        // The platform's chain verdict (untrusted root) does not matter with policy CAs: the anchors decide.
        Assert.True(Validate(Policy("b.example.com", _rootPem), rules, leaf));
        Assert.False(Validate(Policy("b.example.com", other.Cert.ExportCertificatePem()), rules, leaf));
        Assert.False(Validate(Policy("b.example.com", _rootPem), rules, null, errors: SslPolicyErrors.RemoteCertificateNotAvailable));
        other.Key.Dispose();
    }

    [Theory]
    [InlineData(true, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    [InlineData(false, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    [InlineData(true, "no pem here")]
    [InlineData(false, "no pem here")]
    public void Unusable_ca_bundle_trusts_nothing(bool strictRules, string pem)
    {
        var rules = Rules(strictRules);
        var leaf = Leaf(_root, ["b.example.com"], [], ServerAuth);
        Assert.False(Validate(Policy("b.example.com", pem), rules, leaf, errors: SslPolicyErrors.None));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Intermediates_the_backend_presents_complete_the_chain(bool strictRules)
    {
        var rules = Rules(strictRules);
        var intermediate = Ca("intermediate", _root);
        var leaf = Leaf(intermediate, ["b.example.com"], [], ServerAuth);
        using var presented = new X509Chain();
        presented.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        presented.ChainPolicy.CustomTrustStore.Add(_root.Cert);
        presented.ChainPolicy.ExtraStore.Add(intermediate.Cert);
        presented.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(presented.Build(leaf));
        Assert.True(Validate(Policy("b.example.com", _rootPem), rules, leaf, presented));
        Assert.False(Validate(Policy("b.example.com", _rootPem), rules, leaf, presented: null));
        intermediate.Key.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void System_store_follows_the_platform_chain_verdict(bool strictRules)
    {
        var rules = Rules(strictRules);
        var leaf = Leaf(_root, ["b.example.com"], [], ServerAuth);
        var policy = Policy("b.example.com", null);
        Assert.True(Validate(policy, rules, leaf, errors: SslPolicyErrors.None));
        Assert.False(Validate(policy, rules, leaf, errors: SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(Validate(policy, rules, null, errors: SslPolicyErrors.RemoteCertificateNotAvailable));
        // With subjectAltNames the platform's hostname verdict is not used (the hostname is not an identity then).
        Assert.True(Validate(Policy("other.example.com", null, "b.example.com"), rules, leaf,
            errors: SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Subject_alt_names_replace_the_hostname(bool strictRules)
    {
        var rules = Rules(strictRules);
        var leaf = Leaf(_root, ["b.example.com", "c.example.com"], ["spiffe://cluster/ns/a/sa/b"], ServerAuth);
        Assert.True(Validate(Policy("x.example.com", _rootPem, "c.example.com"), rules, leaf));
        Assert.True(Validate(Policy("x.example.com", _rootPem, "nope.example.com", "spiffe://cluster/ns/a/sa/b"), rules, leaf));
        Assert.True(Validate(Policy("x.example.com", _rootPem, "C.Example.COM"), rules, leaf));
        // The hostname matches the certificate but is not listed: refused.
        Assert.False(Validate(Policy("b.example.com", _rootPem, "d.example.com"), rules, leaf, errors: SslPolicyErrors.None));
        // URIs compare exactly, and a URI never matches a DNS SAN (nor a DNS name a URI SAN).
        Assert.False(Validate(Policy("x.example.com", _rootPem, "SPIFFE://cluster/ns/a/sa/b"), rules, leaf));
        Assert.False(Validate(Policy("x.example.com", _rootPem, "spiffe://b.example.com"), rules, leaf));
        Assert.False(Validate(Policy("x.example.com", _rootPem, "cluster"), rules, leaf));
    }

    [Fact]
    public void Strict_checks_the_hostname_itself_and_permissive_takes_the_platform_verdict()
    {
        var leaf = Leaf(_root, ["b.example.com"], [], ServerAuth);
        var cnOnly = Leaf(_root, [], [], ServerAuth, commonName: "b.example.com");
        foreach (var errors in new[] { SslPolicyErrors.RemoteCertificateChainErrors, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch })
        {
            Assert.True(Validate(Policy("b.example.com", _rootPem), BackendCertificateRules.Strict, leaf, errors: errors));
            Assert.False(Validate(Policy("a.example.com", _rootPem), BackendCertificateRules.Strict, leaf, errors: errors));
            Assert.False(Validate(Policy("b.example.com", _rootPem), BackendCertificateRules.Strict, cnOnly, errors: errors)); // no CN fallback
        }
        Assert.True(Validate(Policy("b.example.com", _rootPem), BackendCertificateRules.Permissive, leaf));
        Assert.False(Validate(Policy("b.example.com", _rootPem), BackendCertificateRules.Permissive, leaf,
            errors: SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    /// <summary>The differences kept between the two rule sets (what connects on either side did not change).</summary>
    [Theory]
    [InlineData("*.example.com", "a.b.example.com", false, true)] // wildcard depth: one label (RFC 6125) vs any
    [InlineData("*.example.com", "a.example.com", true, true)]
    [InlineData("*", "a.example.com", false, true)] // a bare "*" SAN
    [InlineData("*.example.com", "*.example.com", false, true)] // a wildcard subjectAltName
    [InlineData("a.example.com", "*.example.com", false, false)]
    [InlineData("b.example.com.", "b.example.com", true, true)]
    public void Dns_subject_alt_name_rules(string certificateSan, string wanted, bool strict, bool permissive)
    {
        var leaf = Leaf(_root, [certificateSan], [], ServerAuth);
        Assert.Equal(strict, Validate(Policy("x.example.com", _rootPem, wanted), BackendCertificateRules.Strict, leaf));
        Assert.Equal(permissive, Validate(Policy("x.example.com", _rootPem, wanted), BackendCertificateRules.Permissive, leaf));
    }

    [Theory]
    [InlineData(ClientAuth, false, true)]
    [InlineData(ServerAuth, true, true)]
    [InlineData(null, true, true)]
    public void Extended_key_usage_with_policy_cas(string? usage, bool strict, bool permissive)
    {
        var leaf = Leaf(_root, ["b.example.com"], [], usage);
        Assert.Equal(strict, Validate(Policy("b.example.com", _rootPem), BackendCertificateRules.Strict, leaf));
        Assert.Equal(permissive, Validate(Policy("b.example.com", _rootPem), BackendCertificateRules.Permissive, leaf));
    }

    private (X509Certificate2 Cert, ECDsa Key) Ca(string name, (X509Certificate2 Cert, ECDsa Key)? issuer)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        X509Certificate2 cert;
        if (issuer is { } i)
        {
            using var signed = req.Create(i.Cert, notBefore, DateTimeOffset.UtcNow.AddDays(20), RandomNumberGenerator.GetBytes(12));
            cert = signed.CopyWithPrivateKey(key); // so it can sign leaves
        }
        else
        {
            cert = req.CreateSelfSigned(notBefore, DateTimeOffset.UtcNow.AddDays(30));
        }
        _owned.Add(cert);
        return (cert, key);
    }

    private X509Certificate2 Leaf((X509Certificate2 Cert, ECDsa Key) issuer, string[] dnsNames, string[] uris, string? usage,
        string commonName = "leaf")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        if (usage is not null) req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (dnsNames.Length + uris.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var d in dnsNames) san.AddDnsName(d);
            foreach (var u in uris) san.AddUri(new Uri(u));
            req.CertificateExtensions.Add(san.Build());
        }
        var cert = req.Create(issuer.Cert, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(12));
        _owned.Add(cert);
        return cert;
    }
}
