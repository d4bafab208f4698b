using Microsoft.Extensions.Time.Testing;
using RoomsPortal.Core.Approvals;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Tests.Support;
using RoomsPortal.Core.Verification;
using static RoomsPortal.Core.Tests.Support.ProvisioningHarness;

namespace RoomsPortal.Core.Tests.Common;

/// <summary>Notes and reasons people write for others follow <see cref="TextRules"/> in every service that takes one.</summary>
public sealed class NoteRulesTests : IAsyncLifetime
{
    private ProvisioningHarness _h = default!;

    public async ValueTask InitializeAsync() => _h = await CreateAsync();

    public async ValueTask DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_rejection_note_with_an_invisible_character_is_refused_and_the_request_stays_pending()
    {
        var (_, _, otp) = await _h.OneOtpAsync();
        var redeemed = await _h.Approvals.RedeemAsync(otp.Code, Console1, "10.0.0.5", Ct);

        var rejected = await _h.Approvals.RejectAsync(redeemed.Value!.RequestId, RejectReason.Other, "Wrong \u202Emoor", Admin, AccessScope.All, Ct);

        Assert.Equal(DecisionError.InvalidNote, rejected.Error);
        var pending = await _h.Approvals.ListAsync(new ApprovalQuery(Status: ApprovalStatus.Pending), AccessScope.All, Ct);
        Assert.Single(pending.Items);
    }

    [Fact]
    public async Task A_resolution_note_with_a_zero_width_space_is_refused_and_a_multi_line_one_is_kept()
    {
        var time = new FakeTimeProvider(_h.Time.GetUtcNow());
        var failed = await new DeviceVerificationService(_h.Database, time).VerifyAsync(new DeviceIdentity("Contoso", "X", "SN-1", null), null, null, Ct);
        var failures = new VerificationFailureService(_h.Database, time);

        var hidden = await failures.ResolveAsync(failed.FailureId!.Value, "Fixed\u200B", Admin, Ct);
        var kept = await failures.ResolveAsync(failed.FailureId.Value, "Reconnected the module.\nRestarted.", Admin, Ct);

        Assert.Equal(ResolveFailureError.NoteHasHiddenCharacters, hidden.Error);
        Assert.Equal("Reconnected the module.\nRestarted.", kept.Value!.ResolutionNote);
    }
}
