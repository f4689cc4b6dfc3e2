export default {fetch(){return new Response("x")}}; export class SessionObject {} ; export class HostHub {}; export class SessionIndex {}
