/**
 * Access administration commands (PLT-11): profiles, roles, groups, sharing and record teams,
 * one per file; http/routes/access.ts calls them.
 */
export { listProfiles } from './listProfiles.ts';
export { saveProfile } from './saveProfile.ts';
export { deleteProfile } from './deleteProfile.ts';
export { listRoles } from './listRoles.ts';
export { saveRole } from './saveRole.ts';
export { deleteRole } from './deleteRole.ts';
export { listGroups } from './listGroups.ts';
export { saveGroup } from './saveGroup.ts';
export { deleteGroup } from './deleteGroup.ts';
export { listObjectSharing } from './listObjectSharing.ts';
export { setObjectSharing } from './setObjectSharing.ts';
export { listSharingRules } from './listSharingRules.ts';
export { saveSharingRule } from './saveSharingRule.ts';
export { deleteSharingRule } from './deleteSharingRule.ts';
export { listTeam } from './listTeam.ts';
export { setTeamMember } from './setTeamMember.ts';
export { removeTeamMember } from './removeTeamMember.ts';
