namespace DeepLearning.Tests.Optimizers;

public class LearningRateScheduleTests
{
    private static readonly Dictionary<string, (LearningRateSchedule Schedule, Func<int, double> Formula)> Schedules = new()
    {
        ["StepDecay"] = (new StepDecay(0.1f, 3, 0.5f), t => 0.1 * Math.Pow(0.5, t / 3)),
        ["ExponentialDecay"] = (new ExponentialDecay(0.2f, 0.9f), t => 0.2 * Math.Pow(0.9, t)),
        ["CosineDecay"] = (new CosineDecay(0.1f, 10, 0.01f), t => 0.01 + 0.09 * (1 + Math.Cos(Math.PI * Math.Min(t, 10) / 10)) / 2),
        ["WarmUp+Cosine"] = (new WarmUp(4, new CosineDecay(0.1f, 8)), t => t < 4 ? 0.1 * t / 4 : 0.1 * (1 + Math.Cos(Math.PI * Math.Min(t - 4, 8) / 8)) / 2),
        ["WarmUp(start)+Step"] = (new WarmUp(2, new StepDecay(1f, 2), start: 0.5f), t => t < 2 ? 0.5 + 0.5 * t / 2 : Math.Pow(0.1, (t - 2) / 2)),
        ["FromFunction"] = (LearningRateSchedule.FromFunction(t => 1f / (t + 1)), t => 1.0 / (t + 1)),
    };

    public static TheoryData<string> Names() => [.. Schedules.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Rates_follow_the_formula(string name)
    {
        var (schedule, formula) = Schedules[name];
        for (int t = 0; t < 16; t++)
            Assert.True(Math.Abs(schedule.At(t) - formula(t)) <= 1e-6 * Math.Max(1, formula(t)), $"{name} at t={t}: {schedule.At(t)} vs {formula(t)}");
    }

    [Fact]
    public void Warm_up_joins_the_next_schedule_continuously()
    {
        var s = new WarmUp(5, new CosineDecay(1f, 10));
        Assert.Equal(0f, s.At(0));
        Assert.Equal(0.8f, s.At(4), 1e-6f);
        Assert.Equal(1f, s.At(5));
        Assert.Equal(0f, s.At(15), 1e-6f);
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(0.1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(-1f, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1f, 0.5f).At(-1));
    }
}
