using Causeway.Translation.Ir;

namespace Causeway.Translation.Tests;

/// <summary>
/// <see cref="RouteRegex.Substitution"/>: RE2 rewrite semantics as Envoy's regex_rewrite applies them (the examples of
/// the HTTPRouteFilter CRD), and the problems it reports for patterns and substitutions it cannot run.
/// </summary>
public sealed class RegexSubstitutionTests
{
    [Theory]
    [InlineData(@"^/service/([^/]+)(/.*)$", @"\2/instance/\1", "/service/foo/v1/api", "/v1/api/instance/foo")]
    [InlineData("one", "two", "/xxx/one/yyy/one/zzz", "/xxx/two/yyy/two/zzz")]
    [InlineData(@"^(.*?)one(.*)$", @"\1two\2", "/xxx/one/yyy/one/zzz", "/xxx/two/yyy/one/zzz")]
    [InlineData("(?i)/xxx/", "/yyy/", "/aaa/XxX/bbb", "/aaa/yyy/bbb")]
    [InlineData("^/a", @"/$1\\x\0", "/a/b", @"/$1\x/a/b")]
    [InlineData("nomatch", "x", "/a/b", "/a/b")]
    public void Replaces_as_re2_does(string pattern, string substitution, string input, string expected) =>
        Assert.Equal(expected, RouteRegex.Substitution(pattern, substitution).Replace(input));

    [Theory]
    [InlineData("^/(a)", @"/\2", "group \\2 does not exist")]
    [InlineData("^/(a)", @"/\x", "invalid substitution: '\\x'")]
    [InlineData("^/(a)", "/\\", "a '\\' at the end")]
    [InlineData(@"^/(a)\1", "/", "backreference")]
    [InlineData("^/(a", "/", "invalid regular expression")]
    public void Reports_what_it_cannot_run(string pattern, string substitution, string expected)
    {
        var problem = RouteRegex.SubstitutionProblem(pattern, substitution);
        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
