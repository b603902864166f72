using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>ClientTrafficPolicy <c>headers.xForwardedClientCert</c> checked (its CRD's rules) and turned into IR.</summary>
internal static class ForwardedClientCertCompiler
{
    private const string Field = "spec.headers.xForwardedClientCert";

    public static ForwardedClientCertIr? Compile(XForwardedClientCertSpec spec, List<string> errors)
    {
        ForwardedClientCertMode? mode = spec.Mode switch
        {
            null or "Sanitize" => ForwardedClientCertMode.Sanitize,
            "ForwardOnly" => ForwardedClientCertMode.ForwardOnly,
            "AppendForward" => ForwardedClientCertMode.AppendForward,
            "SanitizeSet" => ForwardedClientCertMode.SanitizeSet,
            "AlwaysForwardOnly" => ForwardedClientCertMode.AlwaysForwardOnly,
            _ => null,
        };
        if (mode is null)
        {
            errors.Add($"{Field}.mode: \"{spec.Mode}\" is not one of Sanitize, ForwardOnly, AppendForward, SanitizeSet, AlwaysForwardOnly");
            return null;
        }
        var details = ForwardedClientCertDetails.None;
        var list = spec.CertDetailsToAdd ?? [];
        if (list.Count > 0 && mode is not (ForwardedClientCertMode.AppendForward or ForwardedClientCertMode.SanitizeSet))
            errors.Add($"{Field}.certDetailsToAdd: can only be set when mode is AppendForward or SanitizeSet");
        for (var i = 0; i < list.Count; i++)
        {
            details |= list[i] switch
            {
                "Subject" => ForwardedClientCertDetails.Subject,
                "Cert" => ForwardedClientCertDetails.Cert,
                "Chain" => ForwardedClientCertDetails.Chain,
                "DNS" => ForwardedClientCertDetails.Dns,
                "URI" => ForwardedClientCertDetails.Uri,
                _ => Error(errors, $"{Field}.certDetailsToAdd[{i}]: \"{list[i]}\" is not one of Subject, Cert, Chain, DNS, URI"),
            };
        }
        return mode == ForwardedClientCertMode.Sanitize ? null : new ForwardedClientCertIr { Mode = mode.Value, Details = details };
    }

    private static ForwardedClientCertDetails Error(List<string> errors, string message)
    {
        errors.Add(message);
        return ForwardedClientCertDetails.None;
    }
}
