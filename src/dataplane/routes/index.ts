export {DEFAULT_ROUTE_PROTOCOL, execSysctlWriter, interfaceSysctls, RouteManager, type RouteManagerStats, type SysctlWriter} from './manager.js'
