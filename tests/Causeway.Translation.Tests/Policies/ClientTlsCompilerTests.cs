using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Policies;
using Causeway.Translation.Tls.ClientValidation;

namespace Causeway.Translation.Tests.Policies;

/// <summary>ClientTrafficPolicy clientValidation, xForwardedClientCert and session checks: each bad value named by its field.</summary>
public class ClientTlsCompilerTests
{
    private static readonly ResourceSnapshot Empty = ResourceSnapshot.Create([]);

    private static (ClientValidationIr Ir, List<string> Errors, List<string> Warnings) Validation(ClientValidationSpec spec)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var ir = ClientValidationCompiler.Compile(spec, "test", Empty, errors, warnings);
        return (ir, errors, warnings);
    }

    [Fact]
    public void Bad_matchers_and_hashes_are_errors_naming_their_field()
    {
        var (_, errors, _) = Validation(new ClientValidationSpec
        {
            Mode = "Request",
            CertificateHashes = ["not-hex"],
            SpkiHashes = ["short"],
            SubjectAltNames = new SubjectAltNamesSpec
            {
                Uris = [new SanMatchSpec { Type = "RegularExpression", Value = "(" }],
                OtherNames = [new SanMatchSpec { Value = "x", Oid = "nope" }],
            },
        });
        Assert.Contains(errors, e => e.StartsWith("spec.tls.clientValidation.certificateHashes[0]:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.tls.clientValidation.spkiHashes[0]:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.tls.clientValidation.subjectAltNames.uris[0].value:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.tls.clientValidation.subjectAltNames.otherNames[0].oid:", StringComparison.Ordinal));
    }

    [Fact]
    public void Verifying_modes_need_ca_references_and_missing_ones_are_named()
    {
        var (_, none, _) = Validation(new ClientValidationSpec());
        Assert.Contains(none, e => e.StartsWith("spec.tls.clientValidation.caCertificateRefs: required", StringComparison.Ordinal));
        var (_, missing, _) = Validation(new ClientValidationSpec { CaCertificateRefs = [new SecretObjectReference { Name = "gone" }] });
        Assert.Equal("spec.tls.clientValidation.caCertificateRefs[0]: CA certificate Secret test/gone not found or holds no valid certificate", Assert.Single(missing));
        var (ir, ok, _) = Validation(new ClientValidationSpec { Mode = "RequireAny", Optional = true });
        Assert.Empty(ok);
        Assert.Equal(ClientValidationMode.RequireAny, ir.Mode);
        var (optional, _, _) = Validation(new ClientValidationSpec { Optional = true, Mode = null, CaCertificateRefs = [] });
        Assert.Equal(ClientValidationMode.VerifyIfGiven, optional.Mode);
    }

    [Fact]
    public void Xfcc_details_outside_append_and_set_modes_are_errors()
    {
        var errors = new List<string>();
        Assert.Null(ForwardedClientCertCompiler.Compile(new XForwardedClientCertSpec { Mode = "Sanitize" }, errors));
        var ir = ForwardedClientCertCompiler.Compile(new XForwardedClientCertSpec { Mode = "AppendForward", CertDetailsToAdd = ["Subject", "DNS"] }, errors);
        Assert.Empty(errors);
        Assert.Equal(ForwardedClientCertDetails.Subject | ForwardedClientCertDetails.Dns, ir!.Details);
        ForwardedClientCertCompiler.Compile(new XForwardedClientCertSpec { Mode = "ForwardOnly", CertDetailsToAdd = ["Cert"] }, errors);
        ForwardedClientCertCompiler.Compile(new XForwardedClientCertSpec { Mode = "Bogus" }, errors);
        Assert.Contains(errors, e => e.StartsWith("spec.headers.xForwardedClientCert.certDetailsToAdd:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.headers.xForwardedClientCert.mode:", StringComparison.Ordinal));
    }
}
