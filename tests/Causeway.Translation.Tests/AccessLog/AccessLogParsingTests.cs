using Causeway.Translation.AccessLog;

namespace Causeway.Translation.Tests.AccessLog;

/// <summary>The Envoy format string and CEL subset parsers the translator checks with and the data plane compiles.</summary>
public sealed class AccessLogParsingTests
{
    [Fact]
    public void Format_strings_split_into_literals_and_operators_with_arguments_and_lengths()
    {
        Assert.True(LogFormat.TryParse("[%START_TIME(%Y/%m)%] %REQ(X-ENVOY-ORIGINAL-PATH?:PATH):10% 100%% %RESPONSE_CODE%\n", out var pieces, out var error), error);
        Assert.Equal(
            [LogOperator.Literal, LogOperator.StartTime, LogOperator.Literal, LogOperator.Request, LogOperator.Literal, LogOperator.ResponseCode, LogOperator.Literal],
            pieces.Select(p => p.Operator).ToArray());
        Assert.Equal("%Y/%m", pieces[1].TimeFormat);
        Assert.Equal("x-envoy-original-path", pieces[3].Header);
        Assert.Equal(":path", pieces[3].AltHeader);
        Assert.Equal(10, pieces[3].MaxLength);
        Assert.Equal(" 100% ", pieces[4].Text);
        Assert.Equal(["x-envoy-original-path"], LogFormat.RequestHeaders(pieces));
        Assert.True(LogFormat.TryParse(LogFormat.DefaultText, out _, out error), error);
        Assert.All(LogFormat.DefaultJson, f => Assert.True(LogFormat.TryParse(f.Value, out _, out _), f.Value));
    }

    [Theory]
    [InlineData("%UNKNOWN%", "%UNKNOWN% is not a command operator")]
    [InlineData("%REQ()%", "needs a header name")]
    [InlineData("%REQ(X", "no closing parenthesis")]
    [InlineData("%DURATION", "not closed")]
    [InlineData("100% done", "starts no command operator")]
    [InlineData("%DURATION(x)%", "takes no argument")]
    [InlineData("%START_TIME(%Q)%", "%Q is not a supported time specifier")]
    [InlineData("%BYTES_SENT:x%", "not a number")]
    public void Bad_format_strings_say_why(string format, string reason)
    {
        Assert.False(LogFormat.TryParse(format, out _, out var error));
        Assert.Contains(reason, error);
    }

    private sealed class Request(int code, params (string Name, string Value)[] headers) : ICelRequest
    {
        public int ResponseCode => code;
        public string? RequestHeader(string name) => headers.Where(h => h.Name == name).Select(h => h.Value).FirstOrDefault();
        public string? RequestAttribute(CelAttribute attribute) => attribute == CelAttribute.Method ? "GET" : "/p";
    }

    [Theory]
    [InlineData("'x-log' in request.headers", 200, true)]
    [InlineData("'X-Log' in request.headers", 200, true)]
    [InlineData("'x-other' in request.headers", 200, false)]
    [InlineData("request.headers['x-log'] == '1'", 200, true)]
    [InlineData("request.headers[\"x-log\"] != '1'", 200, false)]
    [InlineData("response.code >= 400", 404, true)]
    [InlineData("response.code >= 400u", 200, false)]
    [InlineData("response.code == 200 && !('x-log' in request.headers)", 200, false)]
    [InlineData("response.code == 500 || 'x-log' in request.headers && response.code < 300", 200, true)]
    [InlineData("(response.code == 500 || 'x-log' in request.headers) && response.code > 300", 200, false)]
    [InlineData("request.method == 'GET' && request.path != '/q'", 200, true)]
    [InlineData("!(response.code != 404)", 404, true)]
    public void Cel_conditions_evaluate(string expression, int code, bool expected)
    {
        Assert.True(CelMatch.TryParse(expression, out var match, out var error), error);
        Assert.Equal(expected, match!.Evaluate(new Request(code, ("x-log", "1"))));
    }

    [Theory]
    [InlineData("request.size > 10")]
    [InlineData("response.code >= 'x'")]
    [InlineData("'x' in request.query")]
    [InlineData("response.code == 200 &&")]
    [InlineData("(response.code == 200")]
    [InlineData("request.headers['x'].startsWith('a')")]
    public void Cel_outside_the_subset_is_refused(string expression)
    {
        Assert.False(CelMatch.TryParse(expression, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
