using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Policies;

namespace Causeway.Translation.Tests.Policies;

/// <summary>ClientTrafficPolicy earlyRequestHeaders/lateResponseHeaders checks: each bad entry named by its field.</summary>
public class HeaderMutationCompilerTests
{
    private static (Ir.HeaderModifierIr? Ir, List<string> Errors, List<string> Warnings) Compile(HeaderMutationSpec spec, bool response)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var ir = HeaderMutationCompiler.Compile(spec, response ? "spec.headers.lateResponseHeaders" : "spec.headers.earlyRequestHeaders", response, errors, warnings);
        return (ir, errors, warnings);
    }

    [Fact]
    public void Bad_names_and_values_and_managed_headers_are_errors_naming_their_entry()
    {
        var (_, errors, _) = Compile(new HeaderMutationSpec
        {
            Set = [new HttpHeader { Name = "x y", Value = "v" }, new HttpHeader { Name = "x-ok", Value = " padded" }],
            Add = [new HttpHeader { Name = "Transfer-Encoding", Value = "chunked" }],
            AddIfAbsent = [new HttpHeader { Name = "Expect", Value = "100-continue" }],
            Remove = ["Connection"],
        }, response: false);
        Assert.Equal(
        [
            "spec.headers.earlyRequestHeaders.set[0].name: \"x y\" is not a header name (1 to 256 token characters)",
            "spec.headers.earlyRequestHeaders.set[1].value: \" padded\" is not a header value (1 to 4096 printable US-ASCII characters, single spaces or tabs between them)",
            "spec.headers.earlyRequestHeaders.add[0].name: \"Transfer-Encoding\" is managed by the gateway (framing and connection headers, Expect) and cannot be edited",
            "spec.headers.earlyRequestHeaders.addIfAbsent[0].name: \"Expect\" is managed by the gateway (framing and connection headers, Expect) and cannot be edited",
            "spec.headers.earlyRequestHeaders.remove[0]: \"Connection\" is managed by the gateway (framing and connection headers, Expect) and cannot be edited",
        ], errors);

        // Date is the gateway's on responses only; Host may be edited early (the Kestrel pipeline then serves the listener).
        var (late, lateErrors, _) = Compile(new HeaderMutationSpec { Set = [new HttpHeader { Name = "Date", Value = "x" }], Remove = ["Expect"] }, response: true);
        Assert.Equal(["spec.headers.lateResponseHeaders.set[0].name: \"Date\" is managed by the gateway (framing and connection headers, Date) and cannot be edited"], lateErrors);
        Assert.Equal(["Expect"], late!.Remove);
        var (early, earlyErrors, _) = Compile(new HeaderMutationSpec { Set = [new HttpHeader { Name = "Host", Value = "b.example" }] }, response: false);
        Assert.Empty(earlyErrors);
        Assert.Equal("Host", Assert.Single(early!.Set).Key);
    }

    [Fact]
    public void Repeated_names_keep_the_first_entry_and_nothing_to_do_is_null()
    {
        var (ir, errors, warnings) = Compile(new HeaderMutationSpec
        {
            Set = [new HttpHeader { Name = "x-a", Value = "1" }, new HttpHeader { Name = "X-A", Value = "2" }],
            AddIfAbsent = [new HttpHeader { Name = "x-b", Value = "3" }],
            Remove = ["x-c", "X-C"],
            RemoveOnMatch = [new StringMatchSpec { Type = "Prefix", Value = "X-Internal-" }],
        }, response: true);
        Assert.Empty(errors);
        Assert.Equal(["spec.headers.lateResponseHeaders.set[1].name: \"X-A\" repeats an earlier entry's name, ignored"], warnings);
        // Names match case-insensitively: Exact, Prefix and Suffix values are lower-cased once here.
        Assert.Equal(new Ir.HeaderNameMatchIr(Ir.HeaderValueMatchKind.Prefix, "x-internal-"), Assert.Single(ir!.RemoveOnMatch!.Value));
        Assert.Equal(new KeyValuePair<string, string>("x-a", "1"), Assert.Single(ir!.Set));
        Assert.Equal(new KeyValuePair<string, string>("x-b", "3"), Assert.Single(ir.AddIfAbsent!.Value));
        Assert.Equal(["x-c"], ir.Remove);
        Assert.Null(Compile(new HeaderMutationSpec(), response: false).Ir);
    }

    [Fact]
    public void RemoveOnMatch_alone_is_an_edit_and_a_bad_matcher_is_an_error_naming_it()
    {
        var (ir, errors, warnings) = Compile(new HeaderMutationSpec
        {
            RemoveOnMatch =
            [
                new StringMatchSpec { Value = "X-Secret" },
                new StringMatchSpec { Type = "RegularExpression", Value = "x-debug-[0-9]+" },
                new StringMatchSpec { Type = "RegularExpression", Value = "x-(" },
                new StringMatchSpec { Type = "Contains", Value = "x" },
            ],
        }, response: false);
        Assert.Empty(warnings);
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("spec.headers.earlyRequestHeaders.removeOnMatch[2].value: invalid regular expression", errors[0], StringComparison.Ordinal);
        Assert.Equal("spec.headers.earlyRequestHeaders.removeOnMatch[3].type: \"Contains\" is not Exact, Prefix, Suffix or RegularExpression", errors[1]);
        Assert.Equal(
        [
            new Ir.HeaderNameMatchIr(Ir.HeaderValueMatchKind.Exact, "x-secret"),
            new Ir.HeaderNameMatchIr(Ir.HeaderValueMatchKind.RegularExpression, "x-debug-[0-9]+"),
        ], ir!.RemoveOnMatch!.Value);
    }
}
