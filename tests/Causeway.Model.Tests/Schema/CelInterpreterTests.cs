using System.Text.Json.Nodes;
using Causeway.Model.Schema;
using Causeway.Model.Schema.Cel;

namespace Causeway.Model.Tests.Schema;

public class CelInterpreterTests
{
    private static object? Eval(string expr, string selfJson = "{}")
    {
        var (e, _) = CelParser.Parse(expr, ["self"], Re2Regex.Create);
        return e.Eval(new CelEnv("self", CelRuntime.FromJson(JsonNode.Parse(selfJson)), null));
    }

    [Theory]
    [InlineData("1 + 2 * 3 == 7")]
    [InlineData("(1 + 2) * 3 == 9")]
    [InlineData("7 / 2 == 3 && 7 % 2 == 1")]
    [InlineData("-3 < 0")]
    [InlineData("'a' + 'b' == 'ab'")]
    [InlineData("'abc' < 'abd'")]
    [InlineData("true ? true : false")]
    [InlineData("false || !false")]
    [InlineData("'b' in ['a', 'b']")]
    [InlineData("!('c' in ['a', 'b'])")]
    [InlineData("'k' in {'k': 1}")]
    [InlineData("size([1, 2, 3]) == 3 && [1, 2].size() == 2")]
    [InlineData("size('héllo') == 5")]
    [InlineData("[1, 2, 3].all(x, x > 0)")]
    [InlineData("[1, 2, 3].exists(x, x == 2)")]
    [InlineData("[1, 2, 2].exists_one(x, x == 1) && ![1, 2, 2].exists_one(x, x == 2)")]
    [InlineData("[1, 2, 3].map(x, x * 2) == [2, 4, 6]")]
    [InlineData("[1, 2, 3].map(x, x > 1, x * 10) == [20, 30]")]
    [InlineData("[1, 2, 3].filter(x, x % 2 == 1).size() == 2")]
    [InlineData("'foo.example.com'.matches('^[a-z.]+$')")]
    [InlineData("r'a\\.b'.size() == 4")]
    [InlineData("'''triple'''.startsWith('tri') && \"\"\"x\"\"\".endsWith('x')")]
    [InlineData("'Hello'.lowerAscii() == 'hello' && 'Hello'.upperAscii() == 'HELLO'")]
    [InlineData("'a/b/c'.split('/')[1] == 'b'")]
    [InlineData("'*.example.com'.substring(2) == 'example.com'")]
    [InlineData("'abc'.contains('b') && 'abc'.indexOf('c') == 2")]
    [InlineData("isIP('10.0.0.1') && isIP('::1') && !isIP('010.0.0.1') && !isIP('foo')")]
    [InlineData("isCIDR('10.0.0.0/8') && !isCIDR('10.0.0.0')")]
    [InlineData("duration('1m30s') > duration('90s') == false && duration('1h') > duration('59m')")]
    [InlineData("duration('0s') == duration('0s')")]
    [InlineData("int('42') == 42 && string(42) == '42'")]
    [InlineData("1 == 1.0")]
    [InlineData("has(self.a) && !has(self.b)", "{\"a\": 1}")]
    [InlineData("self.a.b == 'x'", "{\"a\": {\"b\": \"x\"}}")]
    [InlineData("self.__namespace__ == 'ns'", "{\"namespace\": \"ns\"}")]
    [InlineData("self.all(k, k.startsWith('a'))", "{\"ab\": 1, \"ac\": 2}")]
    [InlineData("self[1] == 'y'", "[\"x\", \"y\"]")]
    [InlineData("self.port == 80", "{\"port\": 80}")]
    [InlineData("{'a': 1}['a'] == 1")]
    [InlineData("0x10 == 16")]
    public void EvaluatesToTrue(string expr, string self = "{}") => Assert.Equal(true, Eval(expr, self));

    [Theory]
    [InlineData("self.missing == 1", "no such key: missing")]
    [InlineData("[1][3] == 1", "index out of bounds")]
    [InlineData("1 / 0 == 1", "division by zero")]
    [InlineData("duration('bogus') == duration('1s')", "invalid duration")]
    public void RuntimeErrorsAreCelExceptions(string expr, string message)
    {
        var ex = Assert.Throws<CelException>(() => Eval(expr));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LogicalOperatorsAbsorbErrors()
    {
        Assert.Equal(true, Eval("self.missing == 1 || true"));
        Assert.Equal(false, Eval("self.missing == 1 && false"));
        Assert.Equal(true, Eval("[1, 2].exists(x, x == 2 || self.missing == 1)"));
    }

    [Theory]
    [InlineData("self.foo(", "Syntax error")]
    [InlineData("unknownFn(self)", "unsupported function: unknownFn/1")]
    [InlineData("self.x.frobnicate()", "unsupported function: <target>.frobnicate/0")]
    [InlineData("other == 1", "undeclared reference to 'other'")]
    [InlineData("'x'.matches('(')", "invalid regular expression")]
    public void UnsupportedOrInvalidRulesFailAtCompileTime(string expr, string message)
    {
        var ex = Assert.Throws<CelCompileException>(() => CelParser.Parse(expr, ["self"], Re2Regex.Create));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OldSelfIsDetected()
    {
        var (_, usesOldSelf) = CelParser.Parse("self == oldSelf", ["self", "oldSelf"], Re2Regex.Create);
        Assert.True(usesOldSelf);
    }

    [Theory]
    [InlineData("^[a-z]+$", "abc", true)]
    [InlineData("^[a-z]+$", "abc\n", false)]
    [InlineData("^\\d+$", "١٢٣", false)]
    [InlineData("^\\d+$", "123", true)]
    [InlineData("^(?i)[a-z]+$", "ABC", true)]
    [InlineData("^[[:alpha:]]+$", "abc", true)]
    [InlineData("^(?P<x>a)b$", "ab", true)]
    public void Re2PatternsTranslate(string pattern, string input, bool expected) =>
        Assert.Equal(expected, Re2Regex.Create(pattern).IsMatch(input));
}
