using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Ir;
using Causeway.Translation.Policies;

namespace Causeway.Translation.Tests.Policies;

/// <summary>
/// responseOverride redirects as the compiler reads them, including what the CRD's rules refuse (a policy that reached
/// the translator without schema validation): each refusal names its field.
/// </summary>
public class ResponseOverrideCompilerTests
{
    private static (IReadOnlyList<ResponseOverrideIr> Ir, List<string> Errors) Compile(params ResponseOverrideSpec[] overrides)
    {
        var errors = new List<string>();
        var policy = new BackendTrafficPolicy
        {
            Metadata = new ObjectMeta { Name = "p", Namespace = "ns" },
            Spec = new BackendTrafficPolicySpec { ResponseOverride = overrides },
        };
        var ir = ResponseOverrideCompiler.Compile(policy, null, errors, []);
        return (ir, errors);
    }

    private static ResponseOverrideMatchSpec Status(int code) => new() { StatusCodes = [new StatusCodeMatchSpec { Value = code }] };

    [Fact]
    public void A_redirect_becomes_the_same_redirect_ir_as_a_request_redirect_filter()
    {
        var (ir, errors) = Compile(new ResponseOverrideSpec
        {
            Match = Status(404),
            Redirect = new HttpRequestRedirectFilter
            {
                Scheme = "https",
                Hostname = "moved.example.com",
                Port = 8443,
                Path = new HttpPathModifier { Type = "ReplaceFullPath", ReplaceFullPath = "/gone" },
            },
        });
        Assert.Empty(errors);
        var redirect = Assert.Single(ir).Redirect;
        Assert.Equal(new RedirectIr
        {
            Scheme = "https",
            Hostname = "moved.example.com",
            Port = 8443,
            Path = new PathModifierIr(PathModifierKind.ReplaceFullPath, "/gone"),
            StatusCode = 302,
        }, redirect);
    }

    [Fact]
    public void What_the_crd_refuses_is_an_error_naming_the_field()
    {
        var (ir, errors) = Compile(
            new ResponseOverrideSpec
            {
                Match = Status(404),
                Redirect = new HttpRequestRedirectFilter { Path = new HttpPathModifier { Type = "ReplacePrefixMatch", ReplacePrefixMatch = "/v2" } },
            },
            new ResponseOverrideSpec { Match = Status(404), Redirect = new HttpRequestRedirectFilter { StatusCode = 307, Scheme = "ftp" } },
            new ResponseOverrideSpec { Match = Status(404), Redirect = new HttpRequestRedirectFilter(), Response = new ResponseOverrideResponseSpec { StatusCode = 410 } },
            new ResponseOverrideSpec { Match = Status(404) });
        Assert.Empty(ir);
        Assert.Equal([
            "spec.responseOverride[0].redirect.path.type: only ReplaceFullPath is supported (got \"ReplacePrefixMatch\")",
            "spec.responseOverride[1].redirect.statusCode: 307 is not 301 or 302",
            "spec.responseOverride[1].redirect.scheme: \"ftp\" is not http or https",
            "spec.responseOverride[2]: exactly one of response or redirect is required",
            "spec.responseOverride[3]: exactly one of response or redirect is required",
        ], errors);
    }
}
