//! The conformance suite, run against every backend: SQLite on a temporary file, PostgreSQL on
//! a fresh database of `JIFEN_TEST_DATABASE_URL` (see `jifen_store::testkit`).

jifen_store::backend_tests! {
    program_roundtrip => jifen_store::conformance::program_roundtrip;
    demo_program_and_policy => jifen_store::conformance::demo_program_and_policy;
    api_key_lifecycle => jifen_store::conformance::api_key_lifecycle;
    member_upsert_merges => jifen_store::conformance::member_upsert_merges;
    identities_bind_and_replace => jifen_store::conformance::identities_bind_and_replace;
    identity_taken_changes_nothing => jifen_store::conformance::identity_taken_changes_nothing;
    identities_are_per_program => jifen_store::conformance::identities_are_per_program;
    list_members_pages => jifen_store::conformance::list_members_pages;
    ledger_roundtrip => jifen_store::conformance::ledger_roundtrip;
    list_entries_pages => jifen_store::conformance::list_entries_pages;
    dropped_tx_persists_nothing => jifen_store::conformance::dropped_tx_persists_nothing;
    idempotency_lifecycle => jifen_store::conformance::idempotency_lifecycle;
    idempotency_concurrent_claims => jifen_store::conformance::idempotency_concurrent_claims;
    orders_lifecycle => jifen_store::conformance::orders_lifecycle;
    events_unique_per_program => jifen_store::conformance::events_unique_per_program;
    holds_lookup => jifen_store::conformance::holds_lookup;
    members_to_maintain => jifen_store::conformance::members_to_maintain;
    batch_writes => jifen_store::conformance::batch_writes;
    lock_member_serializes_writers => jifen_store::conformance::lock_member_serializes_writers;
    concurrent_upserts_create_once => jifen_store::conformance::concurrent_upserts_create_once;
    bulk_load_roundtrip => jifen_store::conformance::bulk_load_roundtrip;
    export_covers_every_member_table => jifen_store::personal_conformance::export_covers_every_member_table;
    export_reads_a_members_rows => jifen_store::personal_conformance::export_reads_a_members_rows;
    consents_are_append_only => jifen_store::personal_conformance::consents_are_append_only;
    erasure_keeps_the_ledger_under_a_pseudonym => jifen_store::personal_conformance::erasure_keeps_the_ledger_under_a_pseudonym;
    operators_and_roles => jifen_store::console_conformance::operators_and_roles;
    sessions_expire_and_revoke => jifen_store::console_conformance::sessions_expire_and_revoke;
    login_failures_count_since_success => jifen_store::console_conformance::login_failures_count_since_success;
    support_adjustment_limit => jifen_store::console_conformance::support_adjustment_limit;
    audit_log_filters_and_pages => jifen_store::audit_conformance::audit_log_filters_and_pages;
    audit_log_is_immutable => jifen_store::audit_conformance::audit_log_is_immutable;
    portal_links_are_used_once => jifen_store::portal_conformance::portal_links_are_used_once;
    portal_sessions_and_settings => jifen_store::portal_conformance::portal_sessions_and_settings;
    member_event_times_by_type_and_window => jifen_store::portal_conformance::member_event_times_by_type_and_window;
    reward_images_replace_and_isolate => jifen_store::media_conformance::reward_images_replace_and_isolate;
    rollups_equal_a_direct_count => jifen_store::rollup_conformance::rollups_equal_a_direct_count;
    badges_are_earned_once_per_level => jifen_store::badges_conformance::badges_are_earned_once_per_level;
    badge_awards_race_to_one => jifen_store::badges_conformance::concurrent_awards_record_one;
    badge_event_counts_by_type => jifen_store::badges_conformance::event_counts_by_type;
    segment_features_counted => jifen_store::segments_conformance::features_are_counted_as_of_an_instant;
    segment_scores_in_quintiles => jifen_store::segments_conformance::scores_rank_members_into_quintiles;
    segments_and_memberships => jifen_store::segments_conformance::segments_and_memberships;
    challenges_keep_progress_once => jifen_store::challenges_conformance::challenges_keep_progress_once;
    referrals_once_per_friend_with_counts_and_boosts => jifen_store::referrals_conformance::referrals_once_per_friend_with_counts_and_boosts;
    reminders_are_recorded_and_sent_once => jifen_store::reminders_conformance::reminders_are_recorded_and_sent_once;
    reminder_preferences_replace_in_place => jifen_store::reminders_conformance::preferences_replace_in_place;
}
